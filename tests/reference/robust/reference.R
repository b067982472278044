# Reference values for robust (sandwich) errors carried through the models, and
# for average marginal effects of a logit with discrete changes for 0/1
# predictors, computed once in R.
#
# Reads ../models/data.csv (made by ../models/make_data.py; empty cell =
# missing; not changed here) and writes reference.json with these sections:
#   ols         lm + HC3: coeftest and the robust Wald F (lmtest::waldtest)
#   ols_sector  the same with a categorical covariate (dummy coded)
#   moderation  centred D * C * M with HC3: coefficients, robust Wald F and the
#               nine simple slopes with errors from the HC3 covariance
#   logit       glm(binomial) with HC0 (coeftest, df = Inf) and average
#               marginal effects: derivative for continuous predictors,
#               discrete change for 0/1 predictors and factor levels, with
#               delta-method errors from the classical and the HC0 covariance
# Every double is written with %.17g (round-trip exact). See README.md.
#
# Usage (from anywhere):  Rscript reference.R
# Needs (Debian): r-base-core r-cran-jsonlite r-cran-sandwich r-cran-lmtest
#                 r-cran-numderiv

suppressPackageStartupMessages({
  library(jsonlite)
  library(sandwich)
  library(lmtest)
  library(numDeriv)
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

dat <- read.csv(file.path(here, "..", "models", "data.csv"),
                stringsAsFactors = FALSE, na.strings = "")
stopifnot(nrow(dat) == 1333L)
dat$sector <- droplevels(factor(dat$sector,
                                levels = c("children_families", "adults", "mixed", "other")))

HSE <- c("hse_demands", "hse_control", "hse_managers_support",
         "hse_peer_support", "hse_relationships", "hse_role", "hse_change")

cc <- function(vars) dat[stats::complete.cases(dat[, vars]), , drop = FALSE]

# coeftest table + interval (quantile q) -> named list by term
coef_list <- function(ct, q) {
  out <- lapply(seq_len(nrow(ct)), function(i) list(
    estimate = ct[i, 1], std_error = ct[i, 2], statistic = ct[i, 3],
    p = ct[i, 4], conf_low = ct[i, 1] - q * ct[i, 2],
    conf_high = ct[i, 1] + q * ct[i, 2]))
  names(out) <- rownames(ct)
  out
}

# waldtest of all slopes = 0 (against the intercept-only model) with vcov V
# (the intercept-only model is fitted here and passed, as waldtest's own
# update() would look for the data in the wrong environment)
robust_f <- function(m, V, d) {
  m0 <- stats::lm(stats::update(stats::formula(m), . ~ 1), data = d)
  w <- lmtest::waldtest(m, m0, vcov = V, test = "F")
  list(F = w$F[2], df1 = abs(w$Df[2]), df2 = w$Res.Df[1], p = w$`Pr(>F)`[2])
}

classical_f <- function(m) {
  f <- summary(m)$fstatistic
  list(F = unname(f["value"]), df1 = unname(f["numdf"]), df2 = unname(f["dendf"]),
       p = stats::pf(f["value"], f["numdf"], f["dendf"], lower.tail = FALSE)[[1]])
}

ols_fit <- function(f, d) {
  m <- stats::lm(f, data = d)
  V3 <- sandwich::vcovHC(m, type = "HC3")
  dfr <- m$df.residual
  ct <- lmtest::coeftest(m, vcov. = V3, df = dfr)
  list(n = nrow(d), df_residual = dfr,
       hc3 = coef_list(ct[, 1:4, drop = FALSE], stats::qt(0.975, dfr)),
       classical_f = classical_f(m),
       robust_f_hc3 = robust_f(m, V3, d))
}

# ===================================================================== ols
ols_section <- function() {
  d <- cc(c("pss4", HSE))
  ols_fit(stats::as.formula(paste("pss4 ~", paste(HSE, collapse = " + "))), d)
}

ols_sector_section <- function() {
  d <- droplevels(cc(c("pss4", "sector", "hse_demands", "hse_control")))
  ols_fit(pss4 ~ sector + hse_demands + hse_control, d)
}

# ============================================================== moderation
moderation_section <- function() {
  vars <- c("pss4", "hse_demands", "hse_control", "hse_managers_support")
  d <- cc(vars)
  mu <- vapply(vars[-1], function(v) mean(d[[v]]), numeric(1))
  sdv <- vapply(vars[-1], function(v) stats::sd(d[[v]]), numeric(1))
  for (v in vars[-1]) d[[v]] <- d[[v]] - mu[[v]]
  m <- stats::lm(pss4 ~ hse_demands * hse_control * hse_managers_support, data = d)
  b <- stats::coef(m)
  V3 <- sandwich::vcovHC(m, type = "HC3")
  dfr <- m$df.residual
  q <- stats::qt(0.975, dfr)
  ct <- lmtest::coeftest(m, vcov. = V3, df = dfr)
  lev <- c(low = -1, mean = 0, high = 1)
  slopes <- list()
  for (cl in names(lev)) {
    for (ml in names(lev)) {
      cv <- lev[[cl]] * sdv[["hse_control"]]
      mv <- lev[[ml]] * sdv[["hse_managers_support"]]
      g <- stats::setNames(numeric(length(b)), names(b))
      g["hse_demands"] <- 1
      g["hse_demands:hse_control"] <- cv
      g["hse_demands:hse_managers_support"] <- mv
      g["hse_demands:hse_control:hse_managers_support"] <- cv * mv
      s <- sum(g * b)
      se <- sqrt(as.numeric(t(g) %*% V3 %*% g))
      slopes[[length(slopes) + 1]] <- list(
        control_level = cl, support_level = ml, estimate = s, std_error = se,
        statistic = s / se, p = 2 * stats::pt(abs(s / se), dfr, lower.tail = FALSE),
        conf_low = s - q * se, conf_high = s + q * se)
    }
  }
  list(n = nrow(d), df_residual = dfr,
       hc3 = coef_list(ct[, 1:4, drop = FALSE], q),
       classical_f = classical_f(m),
       robust_f_hc3 = robust_f(m, V3, d),
       simple_slopes_hc3 = slopes)
}

# =================================================================== logit
logit_section <- function() {
  vars <- c("intend_leave_job", "pss4", "hse_demands", "bme", "sector")
  d <- droplevels(cc(vars))
  m <- stats::glm(intend_leave_job ~ pss4 + hse_demands + bme + sector,
                  family = stats::binomial(), data = d,
                  control = stats::glm.control(epsilon = 1e-14, maxit = 100))
  b <- stats::coef(m)
  X <- stats::model.matrix(m)
  V <- stats::vcov(m)
  V0 <- sandwich::vcovHC(m, type = "HC0")
  ct0 <- lmtest::coeftest(m, vcov. = V0, df = Inf)
  sector_cols <- grep("^sector", colnames(X), value = TRUE)

  # Average marginal effects as a function of the coefficients:
  #   continuous x_j:  mean_i dlogis(x_i b) b_j            (derivative)
  #   bme (0/1):       mean_i [plogis(x_i b | bme = 1) - plogis(x_i b | bme = 0)]
  #   sector level l:  mean_i [plogis(x_i b | sector = l) - plogis(x_i b | sector = reference)]
  #                    (every sector dummy set to 0, then l's to 1: the factor moved
  #                    as a whole, as Stata's margins, dydx(i.sector) and
  #                    marginaleffects::avg_slopes), other variables as observed
  at <- function(cols_zero, col_one) {
    Z <- X
    Z[, cols_zero] <- 0
    if (!is.null(col_one)) Z[, col_one] <- 1
    Z
  }
  cf <- list(bme = list(one = at("bme", "bme"), zero = at("bme", NULL)))
  for (s in sector_cols) cf[[s]] <- list(one = at(sector_cols, s), zero = at(sector_cols, NULL))
  continuous <- c("pss4", "hse_demands")
  terms <- c(continuous, names(cf))
  ame <- function(beta) {
    eta <- drop(X %*% beta)
    out <- vapply(continuous, function(k) mean(stats::dlogis(eta)) * beta[[k]], 0)
    c(out, vapply(cf, function(z) mean(stats::plogis(drop(z$one %*% beta)) -
                                         stats::plogis(drop(z$zero %*% beta))), 0))
  }
  # analytic gradient, to check numDeriv
  ame_grad <- function(beta) {
    eta <- drop(X %*% beta)
    p <- stats::plogis(eta)
    lam <- p * (1 - p)
    rows <- lapply(continuous, function(k) {
      g <- colMeans(lam * (1 - 2 * p) * X) * beta[[k]]
      g[k] <- g[k] + mean(lam)
      g
    })
    rows <- c(rows, lapply(cf, function(z) {
      p1 <- stats::plogis(drop(z$one %*% beta))
      p0 <- stats::plogis(drop(z$zero %*% beta))
      colMeans(p1 * (1 - p1) * z$one) - colMeans(p0 * (1 - p0) * z$zero)
    }))
    do.call(rbind, rows)
  }
  est <- ame(b)
  J <- numDeriv::jacobian(ame, b, method = "Richardson")
  Ja <- ame_grad(b)
  jac_rel <- max(abs(J - Ja)) / max(abs(Ja))
  stopifnot(jac_rel < 1e-8)
  effects <- function(Vm) {
    se <- sqrt(diag(J %*% Vm %*% t(J)))
    z <- est / se
    q <- stats::qnorm(0.975)
    out <- lapply(seq_along(est), function(i) list(
      effect = if (terms[i] %in% continuous) "derivative" else "discrete change",
      estimate = est[[i]], std_error = se[[i]], statistic = z[[i]],
      p = 2 * stats::pnorm(abs(z[[i]]), lower.tail = FALSE),
      conf_low = est[[i]] - q * se[[i]], conf_high = est[[i]] + q * se[[i]]))
    names(out) <- terms
    out
  }
  list(n = nrow(d), n_events = sum(d$intend_leave_job),
       hc0 = coef_list(ct0[, 1:4, drop = FALSE], stats::qnorm(0.975)),
       average_marginal_effects = effects(V),
       average_marginal_effects_hc0 = effects(V0),
       jacobian_numderiv_vs_analytic_max_rel_diff = jac_rel)
}

out <- list(
  ols = ols_section(),
  ols_sector = ols_sector_section(),
  moderation = moderation_section(),
  logit = logit_section(),
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  package_versions = lapply(
    stats::setNames(nm = c("stats", "sandwich", "lmtest", "numDeriv", "jsonlite")),
    function(p) as.character(utils::packageVersion(p))),
  generated_by = "tests/reference/robust/reference.R"
)

# Every double as %.17g (jsonlite would print 15 significant digits).
exact <- function(v) {
  if (is.list(v)) {
    nm <- names(v)
    v <- lapply(v, exact)
    names(v) <- nm
    v
  } else if (is.double(v) && length(v) == 1) {
    if (!is.finite(v)) stop("non-finite value in output")
    structure(sprintf("%.17g", v), class = "json")
  } else if ((is.integer(v) || is.character(v) || is.logical(v)) && length(v) == 1) {
    unname(v)
  } else {
    stop("unexpected value of length ", length(v))
  }
}

json <- jsonlite::toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE,
                         pretty = TRUE, na = "null")
writeLines(json, file.path(here, "reference.json"), useBytes = TRUE)

cat(sprintf("ols: robust F = %.10g (%g, %g), classical F = %.10g\n",
            out$ols$robust_f_hc3$F, out$ols$robust_f_hc3$df1, out$ols$robust_f_hc3$df2,
            out$ols$classical_f$F))
cat(sprintf("moderation: robust F = %.10g\n", out$moderation$robust_f_hc3$F))
cat(sprintf("logit: n = %d, AME bme = %.10g (se %.6g; HC0 %.6g), numDeriv vs analytic %.2g\n",
            out$logit$n, out$logit$average_marginal_effects$bme$estimate,
            out$logit$average_marginal_effects$bme$std_error,
            out$logit$average_marginal_effects_hc0$bme$std_error,
            out$logit$jacobian_numderiv_vs_analytic_max_rel_diff))
