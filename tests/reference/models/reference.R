# Reference values for the statistical-model modules, computed once in R.
#
# Reads data.csv (made by make_data.py from the bundled synthetic 2017 wave;
# empty cell = missing) and writes reference.json with these sections:
#   ols, hierarchical, moderation, logit, ordinal (incl. Brant test),
#   two_groups, many_groups, binary_groups, holm, benchmark.
# Every double is written with %.17g (round-trip exact). See README.md for the
# exact definition of every number.
#
# Usage (from anywhere):  Rscript reference.R
# Needs (Debian): r-base-core r-cran-jsonlite r-cran-sandwich r-cran-lmtest
#                 r-cran-car r-cran-mass r-cran-numderiv

suppressPackageStartupMessages({
  library(jsonlite)
  library(sandwich)
  library(lmtest)
  library(car)
  library(MASS)
  library(numDeriv)
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

dat <- read.csv(file.path(here, "data.csv"), stringsAsFactors = FALSE,
                na.strings = "")
stopifnot(nrow(dat) == 1333L)

# Factor levels in a fixed order; the first is the reference category.
# Unused levels are dropped afterwards (order kept, first level stays first).
set_levels <- function(x, lev) {
  stopifnot(all(is.na(x) | x %in% lev))
  f <- droplevels(factor(x, levels = lev))
  stopifnot(levels(f)[1] == lev[1])
  f
}
dat$sector <- set_levels(dat$sector,
                         c("children_families", "adults", "mixed", "other"))
dat$role <- set_levels(dat$role,
                       c("social_worker", "senior_practitioner", "manager",
                         "independent", "student_or_asye", "other"))
dat$nation <- set_levels(dat$nation,
                         c("England", "Scotland", "Wales", "Northern Ireland"))

HSE <- c("hse_demands", "hse_control", "hse_managers_support",
         "hse_peer_support", "hse_relationships", "hse_role", "hse_change")

cc <- function(vars) dat[stats::complete.cases(dat[, vars]), , drop = FALSE]

# A coefficient table (matrix with columns est, se, stat, p) plus CIs ->
# named list keyed by term.
coef_list <- function(tab, lo, hi, stat_name) {
  out <- lapply(seq_len(nrow(tab)), function(i) {
    r <- list(estimate = tab[i, 1], std_error = tab[i, 2])
    r[[stat_name]] <- tab[i, 3]
    r$p <- tab[i, 4]
    r$conf_low <- lo[i]
    r$conf_high <- hi[i]
    r
  })
  names(out) <- rownames(tab)
  out
}

named <- function(values, names_) {
  stopifnot(length(values) == length(names_))
  out <- as.list(as.numeric(values))
  names(out) <- names_
  out
}

# ===================================================================== ols
ols_section <- function() {
  vars <- c("pss4", HSE)
  d <- cc(vars)
  n <- nrow(d)
  f <- stats::as.formula(paste("pss4 ~", paste(HSE, collapse = " + ")))
  m <- stats::lm(f, data = d)
  sm <- summary(m)
  tab <- sm$coefficients
  ci <- stats::confint(m, level = 0.95)
  dfr <- m$df.residual
  fst <- sm$fstatistic

  # standardised betas: every variable z-scored on the same complete cases
  fz <- stats::as.formula(paste("scale(pss4) ~",
                                paste0("scale(", HSE, ")", collapse = " + ")))
  mz <- stats::lm(fz, data = d)
  beta_std <- stats::coef(mz)[-1]

  # HC3 robust
  V3 <- sandwich::vcovHC(m, type = "HC3")
  ct <- lmtest::coeftest(m, vcov. = V3, df = dfr)
  qt975 <- stats::qt(0.975, dfr)
  rlo <- ct[, 1] - qt975 * ct[, 2]
  rhi <- ct[, 1] + qt975 * ct[, 2]

  # VIF
  vif_car <- car::vif(m)
  vif_hand <- vapply(HSE, function(v) {
    fj <- stats::as.formula(paste(v, "~", paste(setdiff(HSE, v), collapse = " + ")))
    1 / (1 - summary(stats::lm(fj, data = d))$r.squared)
  }, numeric(1))

  bp <- lmtest::bptest(m)  # studentize = TRUE (Koenker)
  sw <- stats::shapiro.test(stats::residuals(m))
  cook <- stats::cooks.distance(m)

  list(
    n = n,
    df_residual = dfr,
    coefficients = coef_list(tab, ci[, 1], ci[, 2], "t"),
    r2 = sm$r.squared,
    r2_adj = sm$adj.r.squared,
    F = unname(fst["value"]),
    F_df1 = unname(fst["numdf"]),
    F_df2 = unname(fst["dendf"]),
    F_p = stats::pf(fst["value"], fst["numdf"], fst["dendf"],
                    lower.tail = FALSE)[[1]],
    sigma = sm$sigma,
    standardised_betas = named(beta_std, HSE),
    hc3 = coef_list(ct[, 1:4, drop = FALSE], rlo, rhi, "t"),
    vif = named(vif_car[HSE], HSE),
    vif_by_hand = named(vif_hand, HSE),
    breusch_pagan = list(statistic = unname(bp$statistic),
                         df = unname(bp$parameter),
                         p = unname(bp$p.value)),
    shapiro_wilk = list(W = unname(sw$statistic), p = sw$p.value),
    cooks_threshold = 4 / n,
    cooks_n_above = sum(cook > 4 / n),
    cooks_max = max(cook)
  )
}

# ============================================================ hierarchical
hierarchical_section <- function() {
  vars <- c("pss4", "sector", "role", "nation", HSE)
  d <- droplevels(cc(vars))
  stopifnot(levels(d$sector)[1] == "children_families",
            levels(d$role)[1] == "social_worker",
            levels(d$nation)[1] == "England")
  m1 <- stats::lm(pss4 ~ sector + role + nation, data = d)
  f2 <- stats::as.formula(paste("pss4 ~ sector + role + nation +",
                                paste(HSE, collapse = " + ")))
  m2 <- stats::lm(f2, data = d)
  a <- stats::anova(m1, m2)
  r1 <- summary(m1)$r.squared
  r2 <- summary(m2)$r.squared
  s1 <- summary(m1)$coefficients
  s2 <- summary(m2)$coefficients
  c1 <- stats::confint(m1)
  c2 <- stats::confint(m2)
  list(
    n = nrow(d),
    levels = list(sector = levels(d$sector), role = levels(d$role),
                  nation = levels(d$nation)),
    step1 = list(r2 = r1, r2_adj = summary(m1)$adj.r.squared,
                 df_residual = m1$df.residual,
                 coefficients = coef_list(s1, c1[, 1], c1[, 2], "t")),
    step2 = list(r2 = r2, r2_adj = summary(m2)$adj.r.squared,
                 df_residual = m2$df.residual,
                 coefficients = coef_list(s2, c2[, 1], c2[, 2], "t")),
    delta_r2 = r2 - r1,
    F_change = a$F[2],
    F_change_df1 = a$Df[2],
    F_change_df2 = a$Res.Df[2],
    F_change_p = a$`Pr(>F)`[2]
  )
}

# ============================================================== moderation
moderation_section <- function() {
  vars <- c("pss4", "hse_demands", "hse_control", "hse_managers_support")
  d <- cc(vars)
  n <- nrow(d)
  mu <- vapply(vars[-1], function(v) mean(d[[v]]), numeric(1))
  sdv <- vapply(vars[-1], function(v) stats::sd(d[[v]]), numeric(1))
  # centred predictors keep their original names
  for (v in vars[-1]) d[[v]] <- d[[v]] - mu[[v]]
  m <- stats::lm(pss4 ~ hse_demands * hse_control * hse_managers_support,
                 data = d)
  sm <- summary(m)
  tab <- sm$coefficients
  ci <- stats::confint(m)
  b <- stats::coef(m)
  V <- stats::vcov(m)
  dfr <- m$df.residual
  qt975 <- stats::qt(0.975, dfr)

  kD <- "hse_demands"
  kDC <- "hse_demands:hse_control"
  kDM <- "hse_demands:hse_managers_support"
  kDCM <- "hse_demands:hse_control:hse_managers_support"
  stopifnot(all(c(kD, kDC, kDM, kDCM) %in% names(b)))

  lev <- c(low = -1, mean = 0, high = 1)
  slopes <- list()
  for (cl in names(lev)) {
    for (ml in names(lev)) {
      cv <- lev[[cl]] * sdv[["hse_control"]]
      mv <- lev[[ml]] * sdv[["hse_managers_support"]]
      g <- stats::setNames(numeric(length(b)), names(b))
      g[kD] <- 1
      g[kDC] <- cv
      g[kDM] <- mv
      g[kDCM] <- cv * mv
      slope <- sum(g * b)
      se <- sqrt(as.numeric(t(g) %*% V %*% g))
      tt <- slope / se
      slopes[[length(slopes) + 1]] <- list(
        control_level = cl, support_level = ml,
        control_centred = cv, support_centred = mv,
        slope = slope, std_error = se, t = tt,
        p = 2 * stats::pt(abs(tt), dfr, lower.tail = FALSE),
        conf_low = slope - qt975 * se, conf_high = slope + qt975 * se)
    }
  }
  list(
    n = n,
    df_residual = dfr,
    means = named(mu, vars[-1]),
    sds = named(sdv, vars[-1]),
    coefficients = coef_list(tab, ci[, 1], ci[, 2], "t"),
    r2 = sm$r.squared,
    simple_slopes = slopes
  )
}

# =================================================================== logit
logit_section <- function() {
  preds <- c("pss4", "hse_managers_support", "hse_demands")
  vars <- c("intend_leave_job", preds)
  d <- cc(vars)
  n <- nrow(d)
  m <- stats::glm(intend_leave_job ~ pss4 + hse_managers_support + hse_demands,
                  family = stats::binomial(), data = d,
                  control = stats::glm.control(epsilon = 1e-14, maxit = 100))
  m0 <- stats::glm(intend_leave_job ~ 1, family = stats::binomial(), data = d,
                   control = stats::glm.control(epsilon = 1e-14, maxit = 100))
  tab <- summary(m)$coefficients
  wci <- stats::confint.default(m)
  b <- stats::coef(m)
  terms <- lapply(seq_len(nrow(tab)), function(i) list(
    estimate = tab[i, 1], std_error = tab[i, 2], z = tab[i, 3], p = tab[i, 4],
    conf_low = wci[i, 1], conf_high = wci[i, 2],
    odds_ratio = exp(tab[i, 1]),
    odds_ratio_conf_low = exp(wci[i, 1]),
    odds_ratio_conf_high = exp(wci[i, 2])))
  names(terms) <- rownames(tab)

  ll <- as.numeric(stats::logLik(m))
  ll0 <- as.numeric(stats::logLik(m0))
  p <- stats::fitted(m)
  y <- d$intend_leave_job
  n1 <- sum(y == 1)
  n0 <- sum(y == 0)
  rk <- rank(p)  # average ranks: a tie counts 1/2
  auc <- (sum(rk[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
  dens <- mean(p * (1 - p))
  ame <- named(b[preds] * dens, preds)

  mu <- vapply(preds, function(v) mean(d[[v]]), numeric(1))
  grid <- seq(0, 16, by = 2)
  pred <- lapply(grid, function(x) {
    eta <- b[["(Intercept)"]] + b[["pss4"]] * x +
      b[["hse_managers_support"]] * mu[["hse_managers_support"]] +
      b[["hse_demands"]] * mu[["hse_demands"]]
    list(pss4 = x, probability = stats::plogis(eta))
  })
  list(
    n = n,
    n_events = n1,
    coefficients = terms,
    loglik = ll,
    loglik_null = ll0,
    deviance = stats::deviance(m),
    null_deviance = m$null.deviance,
    aic = stats::AIC(m),
    mcfadden_r2 = 1 - ll / ll0,
    nagelkerke_r2 = (1 - exp(2 * (ll0 - ll) / n)) / (1 - exp(2 * ll0 / n)),
    auc = auc,
    average_marginal_effects = ame,
    means = named(mu, preds),
    predicted_probabilities = pred
  )
}

# ================================================================= ordinal
# Cumulative logit, polr parameterisation:
#   logit P(Y <= j) = zeta_j - (b1*pss4 + b2*hse_demands),  j = 0, 1, 2.
polr_negll <- function(theta, X, y, J) {
  K <- ncol(X)
  beta <- theta[seq_len(K)]
  zeta <- theta[K + seq_len(J - 1)]
  eta <- drop(X %*% beta)
  cuts <- c(-Inf, zeta, Inf)
  pr <- stats::plogis(cuts[y + 1] - eta) - stats::plogis(cuts[y] - eta)
  -sum(log(pr))
}

ordinal_section <- function() {
  preds <- c("pss4", "hse_demands")
  vars <- c("presenteeism_12m", preds)
  d <- cc(vars)
  n <- nrow(d)
  d$y <- factor(d$presenteeism_12m, levels = c(0, 1, 2, 3), ordered = TRUE)
  stopifnot(!anyNA(d$y))
  m <- MASS::polr(y ~ pss4 + hse_demands, data = d, method = "logistic",
                  Hess = TRUE,
                  control = list(reltol = 1e-15, maxit = 10000))
  V <- stats::vcov(m)
  b <- stats::coef(m)
  z <- m$zeta
  K <- length(b)
  J <- length(z) + 1

  # Polish the optimum with Newton steps (Richardson-extrapolated numeric
  # gradient/Hessian of the exact log-likelihood) and take the SEs from the
  # Richardson Hessian: more accurate than optim's finite-difference Hessian.
  X <- as.matrix(d[, preds])
  yi <- as.integer(d$y)  # 1..J
  theta <- c(b, z)
  for (it in 1:5) {
    g <- numDeriv::grad(polr_negll, theta, X = X, y = yi, J = J)
    H <- numDeriv::hessian(polr_negll, theta, X = X, y = yi, J = J)
    theta <- theta - solve(H, g)
  }
  H <- numDeriv::hessian(polr_negll, theta, X = X, y = yi, J = J)
  Vr <- solve(H)
  se_r <- sqrt(diag(Vr))
  ll_r <- -polr_negll(theta, X, yi, J)
  names(theta) <- c(names(b), names(z))
  names(se_r) <- names(theta)
  grad_at_opt <- max(abs(numDeriv::grad(polr_negll, theta, X = X, y = yi, J = J)))

  slopes <- lapply(names(b), function(k) list(
    estimate = theta[[k]], std_error = se_r[[k]],
    estimate_polr = b[[k]], std_error_polr = sqrt(V[k, k])))
  names(slopes) <- names(b)
  thresholds <- lapply(names(z), function(k) list(
    estimate = theta[[k]], std_error = se_r[[k]],
    estimate_polr = z[[k]], std_error_polr = sqrt(V[k, k])))
  names(thresholds) <- names(z)

  # ---- Brant (1990) test, implemented in base R ---------------------------
  # One binary logit per cut j (z_j = 1{Y > j}), each with its own intercept.
  Xb <- cbind(1, X)
  fits <- lapply(seq_len(J - 1), function(j) {
    zj <- as.integer(as.integer(d$y) > j)
    stats::glm(zj ~ pss4 + hse_demands, data = cbind(d, zj = zj),
               family = stats::binomial(),
               control = stats::glm.control(epsilon = 1e-14, maxit = 100))
  })
  pis <- sapply(fits, stats::fitted)  # n x (J-1)
  bstar <- unlist(lapply(fits, function(f) stats::coef(f)[-1]))
  VB <- matrix(0, (J - 1) * K, (J - 1) * K)
  idx <- function(j) ((j - 1) * K + 1):(j * K)
  for (j in seq_len(J - 1)) VB[idx(j), idx(j)] <- stats::vcov(fits[[j]])[-1, -1]
  XtWX <- function(w) crossprod(Xb, Xb * w)
  for (j in seq_len(J - 2)) {
    for (l in (j + 1):(J - 1)) {
      pj <- pis[, j]
      pl <- pis[, l]
      Ajl <- solve(XtWX(pj * (1 - pj))) %*% XtWX(pl - pj * pl) %*%
        solve(XtWX(pl * (1 - pl)))
      VB[idx(j), idx(l)] <- Ajl[-1, -1]
      VB[idx(l), idx(j)] <- t(Ajl[-1, -1])
    }
  }
  # D: rows beta_1 - beta_j, j = 2..J-1 (all K predictors)
  D <- do.call(rbind, lapply(2:(J - 1), function(j) {
    row <- matrix(0, K, (J - 1) * K)
    row[, idx(1)] <- diag(K)
    row[, idx(j)] <- -diag(K)
    row
  }))
  wald <- function(Dm) {
    v <- Dm %*% bstar
    as.numeric(t(v) %*% solve(Dm %*% VB %*% t(Dm)) %*% v)
  }
  x2 <- wald(D)
  df_all <- (J - 2) * K
  per <- lapply(seq_len(K), function(k) {
    Dk <- D[seq(k, nrow(D), by = K), , drop = FALSE]
    s <- wald(Dk)
    list(chi2 = s, df = J - 2,
         p = stats::pchisq(s, J - 2, lower.tail = FALSE))
  })
  names(per) <- preds
  cut_fits <- lapply(seq_len(J - 1), function(j) {
    tb <- summary(fits[[j]])$coefficients
    list(cut = paste0("y>", j - 1),
         coefficients = lapply(stats::setNames(nm = rownames(tb)), function(r)
           list(estimate = tb[r, 1], std_error = tb[r, 2])))
  })

  list(
    n = n,
    parameterisation = "logit P(Y <= j) = zeta_j - eta, eta = b_pss4*pss4 + b_hse_demands*hse_demands",
    slopes = slopes,
    thresholds = thresholds,
    loglik = ll_r,
    loglik_polr = as.numeric(stats::logLik(m)),
    max_abs_gradient = grad_at_opt,
    brant = list(
      omnibus = list(chi2 = x2, df = df_all,
                     p = stats::pchisq(x2, df_all, lower.tail = FALSE)),
      per_predictor = per,
      binary_logits = cut_fits
    )
  )
}

# ============================================================== two_groups
two_groups_section <- function() {
  d <- cc(c("pss4", "bme"))
  x1 <- d$pss4[d$bme == 1]
  x0 <- d$pss4[d$bme == 0]
  n1 <- length(x1)
  n0 <- length(x0)
  stopifnot(n1 + n0 == nrow(d))
  tt <- stats::t.test(x1, x0, var.equal = FALSE)
  sp <- sqrt(((n1 - 1) * stats::var(x1) + (n0 - 1) * stats::var(x0)) /
               (n1 + n0 - 2))
  dd <- (mean(x1) - mean(x0)) / sp
  J <- 1 - 3 / (4 * (n1 + n0) - 9)
  g <- J * dd
  # pingouin.compute_esci(stat=g, nx=n1, ny=n0, eftype="hedges") (unrounded):
  se_g <- sqrt((n1 + n0) / (n1 * n0) + g^2 / (2 * (n1 + n0)))
  crit_t <- stats::qt(0.975, n1 + n0 - 2)
  crit_z <- stats::qnorm(0.975)
  w <- stats::wilcox.test(x1, x0, exact = FALSE, correct = TRUE)
  U1 <- unname(w$statistic)
  U0 <- n1 * n0 - U1
  list(
    n1 = n1, n0 = n0,
    mean1 = mean(x1), mean0 = mean(x0),
    sd1 = stats::sd(x1), sd0 = stats::sd(x0),
    welch = list(t = unname(tt$statistic), df = unname(tt$parameter),
                 p = tt$p.value, mean_difference = mean(x1) - mean(x0),
                 conf_low = tt$conf.int[1], conf_high = tt$conf.int[2]),
    cohen_d = dd,
    hedges_g = g,
    hedges_g_se = se_g,
    hedges_g_ci_pingouin = list(conf_low = g - crit_t * se_g,
                                conf_high = g + crit_t * se_g),
    hedges_g_ci_normal = list(conf_low = g - crit_z * se_g,
                              conf_high = g + crit_z * se_g),
    mann_whitney = list(U1 = U1, U0 = U0, p = w$p.value,
                        rbc_pingouin = 1 - 2 * U0 / (n1 * n0),
                        rbc_one_minus_2U1 = 1 - 2 * U1 / (n1 * n0),
                        cles = U1 / (n1 * n0))
  )
}

# ============================================================= many_groups
many_groups_section <- function() {
  d <- droplevels(cc(c("pss4", "sector")))
  lev <- levels(d$sector)
  k <- length(lev)
  wt <- stats::oneway.test(pss4 ~ sector, data = d, var.equal = FALSE)
  a <- stats::anova(stats::lm(pss4 ~ sector, data = d))
  ss_b <- a$`Sum Sq`[1]
  ss_w <- a$`Sum Sq`[2]
  ms_w <- a$`Mean Sq`[2]
  omega2 <- (ss_b - (k - 1) * ms_w) / (ss_b + ss_w + ms_w)
  grp <- lapply(stats::setNames(nm = lev), function(l) d$pss4[d$sector == l])
  groups <- lapply(grp, function(x) list(n = length(x), mean = mean(x),
                                         sd = stats::sd(x)))
  pairs <- list()
  for (i in 1:(k - 1)) {
    for (j in (i + 1):k) {
      xa <- grp[[i]]
      xb <- grp[[j]]
      va <- stats::var(xa) / length(xa)
      vb <- stats::var(xb) / length(xb)
      diff <- mean(xa) - mean(xb)
      se <- sqrt(va + vb)
      tt <- diff / se
      df <- (va + vb)^2 / (va^2 / (length(xa) - 1) + vb^2 / (length(xb) - 1))
      q <- stats::qtukey(0.95, k, df) / sqrt(2)
      # Hedges g of the pair as in pingouin.pairwise_gameshowell
      na <- length(xa)
      nb <- length(xb)
      sp <- sqrt(((na - 1) * stats::var(xa) + (nb - 1) * stats::var(xb)) /
                   (na + nb - 2))
      hg <- (mean(xa) - mean(xb)) / sp * (1 - 3 / (4 * (na + nb) - 9))
      pairs[[length(pairs) + 1]] <- list(
        A = lev[i], B = lev[j], mean_A = mean(xa), mean_B = mean(xb),
        diff = diff, std_error = se, t = tt, df = df,
        p = stats::ptukey(abs(tt) * sqrt(2), k, df, lower.tail = FALSE),
        conf_low = diff - q * se, conf_high = diff + q * se,
        hedges_g = hg)
    }
  }
  list(
    n = nrow(d),
    k = k,
    groups = groups,
    welch_anova = list(F = unname(wt$statistic),
                       df1 = unname(wt$parameter[1]),
                       df2 = unname(wt$parameter[2]),
                       p = wt$p.value),
    classic_anova = list(F = a$`F value`[1], df1 = a$Df[1], df2 = a$Df[2],
                         p = a$`Pr(>F)`[1], ss_between = ss_b,
                         ss_within = ss_w, ms_within = ms_w),
    omega_squared = omega2,
    games_howell = pairs
  )
}

# =========================================================== binary_groups
binary_groups_section <- function() {
  d <- cc(c("intend_leave_job", "bme"))
  tb <- table(factor(d$bme, levels = c(1, 0)),
              factor(d$intend_leave_job, levels = c(1, 0)))
  n1 <- sum(tb["1", ])
  n0 <- sum(tb["0", ])
  p1 <- tb["1", "1"] / n1
  p0 <- tb["0", "1"] / n0
  cy <- suppressWarnings(stats::chisq.test(tb, correct = TRUE))
  cn <- suppressWarnings(stats::chisq.test(tb, correct = FALSE))
  fe <- stats::fisher.test(tb)
  se <- sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
  z <- stats::qnorm(0.975)
  list(
    n = nrow(d),
    counts = list(bme1_leave1 = tb["1", "1"], bme1_leave0 = tb["1", "0"],
                  bme0_leave1 = tb["0", "1"], bme0_leave0 = tb["0", "0"]),
    chi2_yates = list(statistic = unname(cy$statistic),
                      df = unname(cy$parameter), p = cy$p.value),
    chi2_no_correction = list(statistic = unname(cn$statistic),
                              df = unname(cn$parameter), p = cn$p.value),
    fisher_p = fe$p.value,
    fisher_conditional_or = unname(fe$estimate),
    n1 = n1, n0 = n0, p1 = p1, p0 = p0,
    difference = p1 - p0,
    difference_se = se,
    difference_conf_low = p1 - p0 - z * se,
    difference_conf_high = p1 - p0 + z * se
  )
}

# ==================================================================== holm
holm_section <- function() {
  p <- c(0.01, 0.04, 0.03, 0.005, 0.2)
  list(p = as.list(p),
       holm = as.list(stats::p.adjust(p, "holm")),
       bh = as.list(stats::p.adjust(p, "BH")))
}

# =============================================================== benchmark
benchmark_section <- function() {
  cuts <- list(
    hse_demands = c(2.9387, 3.1024, 3.2937),
    hse_control = c(3.2240, 3.4741, 3.7208),
    hse_managers_support = c(3.2720, 3.4603, 3.6500),
    hse_peer_support = c(3.6270, 3.7800, 3.8892),
    hse_relationships = c(3.6115, 3.8499, 4.0381),
    hse_role = c(4.0356, 4.1803, 4.3117),
    hse_change = c(2.7910, 3.0428, 3.2400))
  out <- lapply(stats::setNames(nm = HSE), function(v) {
    x <- dat[[v]][!is.na(dat[[v]])]
    n <- length(x)
    mu <- mean(x)
    s <- stats::sd(x)
    h <- stats::qt(0.975, n - 1) * s / sqrt(n)
    cv <- cuts[[v]]
    list(n = n, mean = mu, sd = s, conf_low = mu - h, conf_high = mu + h,
         cutoffs = list(p20 = cv[1], p50 = cv[2], p80 = cv[3]),
         share_below = list(p20 = mean(x < cv[1]), p50 = mean(x < cv[2]),
                            p80 = mean(x < cv[3])),
         n_below = list(p20 = sum(x < cv[1]), p50 = sum(x < cv[2]),
                        p80 = sum(x < cv[3])))
  })
  out
}

# ================================================================== output
out <- list(
  ols = ols_section(),
  hierarchical = hierarchical_section(),
  moderation = moderation_section(),
  logit = logit_section(),
  ordinal = ordinal_section(),
  two_groups = two_groups_section(),
  many_groups = many_groups_section(),
  binary_groups = binary_groups_section(),
  holm = holm_section(),
  benchmark = benchmark_section(),
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  package_versions = lapply(
    stats::setNames(nm = c("stats", "MASS", "sandwich", "lmtest", "car",
                           "numDeriv", "jsonlite")),
    function(p) as.character(utils::packageVersion(p))),
  generated_by = "tests/reference/models/reference.R"
)

# jsonlite prints at most 15 significant digits, which does not round-trip a
# double; so every double is pre-formatted with %.17g and passed verbatim.
# Counts are R integers and stay JSON integers; whole-number doubles (e.g.
# F_df1) print without a decimal point under %.17g.
exact <- function(v) {
  if (is.list(v)) {
    nm <- names(v)
    v <- lapply(v, exact)
    names(v) <- nm
    v
  } else if (is.double(v) && length(v) == 1) {
    if (!is.finite(v)) stop("non-finite value in output")
    structure(sprintf("%.17g", v), class = "json")
  } else if ((is.integer(v) || is.character(v) || is.logical(v)) &&
             length(v) == 1 && !is.null(names(v))) {
    unname(v)
  } else if (is.numeric(v) && length(v) != 1) {
    stop("unexpected numeric vector of length ", length(v))
  } else {
    v
  }
}

json <- jsonlite::toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE,
                         pretty = TRUE, na = "null")
writeLines(json, file.path(here, "reference.json"), useBytes = TRUE)

# Human-readable summary on stdout.
o <- out
cat(sprintf("ols: n=%d r2=%.10f r2_adj=%.10f F=%.6f\n", o$ols$n, o$ols$r2,
            o$ols$r2_adj, o$ols$F))
cat(sprintf("hierarchical: n=%d r2 %.8f -> %.8f, Fchange=%.6f (%d, %d)\n",
            o$hierarchical$n, o$hierarchical$step1$r2, o$hierarchical$step2$r2,
            o$hierarchical$F_change, as.integer(o$hierarchical$F_change_df1),
            as.integer(o$hierarchical$F_change_df2)))
cat(sprintf("moderation: n=%d b_DCM=%.8f\n", o$moderation$n,
            o$moderation$coefficients[[8]]$estimate))
cat(sprintf("logit: n=%d ll=%.8f mcfadden=%.8f auc=%.8f\n", o$logit$n,
            o$logit$loglik, o$logit$mcfadden_r2, o$logit$auc))
cat(sprintf("ordinal: n=%d zeta=%s ll=%.8f (polr %.8f) brant chi2=%.6f df=%d p=%.6g\n",
            o$ordinal$n,
            paste(sprintf("%.8f", vapply(o$ordinal$thresholds,
                                         function(z) z$estimate, 0)),
                  collapse = "/"),
            o$ordinal$loglik, o$ordinal$loglik_polr,
            o$ordinal$brant$omnibus$chi2, as.integer(o$ordinal$brant$omnibus$df),
            o$ordinal$brant$omnibus$p))
cat(sprintf("two_groups: n1=%d n0=%d t=%.6f g=%.8f U1=%.1f\n",
            o$two_groups$n1, o$two_groups$n0, o$two_groups$welch$t,
            o$two_groups$hedges_g, o$two_groups$mann_whitney$U1))
cat(sprintf("many_groups: n=%d Welch F=%.6f (%g, %.6f) p=%.6g omega2=%.8f\n",
            o$many_groups$n, o$many_groups$welch_anova$F,
            o$many_groups$welch_anova$df1, o$many_groups$welch_anova$df2,
            o$many_groups$welch_anova$p, o$many_groups$omega_squared))
cat(sprintf("binary_groups: n=%d X2 yates=%.6f fisher p=%.6g\n",
            o$binary_groups$n, o$binary_groups$chi2_yates$statistic,
            o$binary_groups$fisher_p))
