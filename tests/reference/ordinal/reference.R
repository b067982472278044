# Reference values for fit_ordinal (proportional-odds / cumulative-logit model),
# computed once in R with ordinal::clm and MASS::polr, HC0 sandwich errors with
# sandwich::sandwich. Writes reference.json; every double as %.17g. See README.md.
#
# Reads ../models/data.csv (made by ../models/make_data.py; empty cell = missing).
# Usage (from anywhere):  Rscript reference.R
# Needs: r-base-core, ordinal, MASS, sandwich, jsonlite.

suppressPackageStartupMessages({
  library(jsonlite)
  library(MASS)
  library(ordinal)
  library(sandwich)
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

dat <- read.csv(file.path(here, "..", "models", "data.csv"),
                stringsAsFactors = FALSE, na.strings = "")
stopifnot(nrow(dat) == 1333L)

preds <- c("pss4", "hse_demands", "bme")
vars <- c("presenteeism_12m", preds)
d <- dat[stats::complete.cases(dat[, vars]), vars]
n <- nrow(d)
LABELS <- c("Never", "Once", "Two to five times", "More than five times")
d$y <- factor(d$presenteeism_12m, levels = 0:3, ordered = TRUE)
d$y_text <- factor(d$presenteeism_12m, levels = 0:3, labels = LABELS,
                   ordered = TRUE)
stopifnot(!anyNA(d$y), !anyNA(d$y_text))
form <- ~ pss4 + hse_demands + bme

# ---------------------------------------------------------------- tables
# Wald z, two-sided p, est +- qnorm(1 - (1 - level)/2) * se (as confint.default).
wald <- function(est, se, level) {
  q <- stats::qnorm(1 - (1 - level) / 2)
  list(estimate = est, std_error = se, z = est / se,
       p = 2 * stats::pnorm(-abs(est / se)),
       conf_low = est - q * se, conf_high = est + q * se)
}
table_of <- function(est, V, names, level = 0.95, odds = FALSE) {
  se <- sqrt(diag(V))[names]
  out <- lapply(names, function(k) {
    r <- wald(est[[k]], se[[k]], level)
    if (odds) {
      r$odds_ratio <- exp(r$estimate)
      r$odds_ratio_conf_low <- exp(r$conf_low)
      r$odds_ratio_conf_high <- exp(r$conf_high)
    }
    r
  })
  names(out) <- names
  out
}
section <- function(est, V, VHC0, slopes, cuts, loglik, extra = list()) {
  c(list(
    n = n,
    coefficients = table_of(est, V, slopes, odds = TRUE),
    thresholds = table_of(est, V, cuts),
    coefficients_level_90 = table_of(est, V, slopes, level = 0.90, odds = TRUE),
    hc0 = list(coefficients = table_of(est, VHC0, slopes, odds = TRUE),
               thresholds = table_of(est, VHC0, cuts)),
    loglik = loglik), extra)
}

# ------------------------------------------------------------ ordinal::clm
# Newton-Raphson with the analytic gradient and Hessian (clm's default), run
# to a gradient far below the default 1e-6.
ctrl <- ordinal::clm.control(gradTol = 1e-12, relTol = 1e-14, maxIter = 200L,
                             convergence = "stop")
fit_clm <- function(response) {
  ordinal::clm(stats::update(form, paste(response, "~ .")), data = d,
               link = "logit", threshold = "flexible", control = ctrl)
}
m_clm <- fit_clm("y")
m_text <- fit_clm("y_text")
clm_section <- function(m) {
  est <- stats::coef(m)  # thresholds (alpha) first, then the slopes
  V <- stats::vcov(m)
  # sandwich::sandwich uses sandwich's estfun.clm (analytic per-respondent
  # scores) and bread.clm (vcov(m) * n), so it is V (sum_i s_i s_i') V.
  VHC0 <- sandwich::sandwich(m)
  S <- sandwich::estfun(m)
  stopifnot(nrow(S) == n, identical(colnames(S), colnames(V)),
            max(abs(VHC0 - V %*% crossprod(S) %*% V)) < 1e-12 * max(abs(VHC0)))
  section(est, V, VHC0, names(m$beta), names(m$alpha), as.numeric(stats::logLik(m)),
          list(max_abs_gradient = max(abs(m$gradient)),
               iterations = m$niter[[1]],
               threshold_names = as.list(names(m$alpha))))
}

# --------------------------------------------------------------- MASS::polr
# optim BFGS with polr's analytic gradient; tight reltol. polr's Hessian is
# optim's finite difference of that analytic gradient with step ndeps: the
# default 1e-3 leaves errors ~1e-7 relative in the SEs, 1e-4 ~3e-8 and 1e-5 ~1e-9
# (measured against clm, whose Hessian is analytic).
k <- length(preds) + nlevels(d$y) - 1
m_polr <- MASS::polr(stats::update(form, y ~ .), data = d, method = "logistic",
                     Hess = TRUE,
                     control = list(reltol = 1e-15, maxit = 10000,
                                    ndeps = rep(1e-5, k)))
stopifnot(m_polr$convergence == 0)
polr_est <- c(stats::coef(m_polr), m_polr$zeta)
# sandwich's estfun.polr (analytic scores) and bread.polr (vcov * n).
polr_section <- section(polr_est, stats::vcov(m_polr), sandwich::sandwich(m_polr),
                        names(stats::coef(m_polr)), names(m_polr$zeta),
                        as.numeric(stats::logLik(m_polr)))

# -------------------------------------------------------------------- output
out <- list(
  data = "../models/data.csv, complete cases of presenteeism_12m, pss4, hse_demands, bme",
  model = "logit P(Y <= j) = threshold_j - (b1 pss4 + b2 hse_demands + b3 bme)",
  labels = as.list(LABELS),
  clm = clm_section(m_clm),
  clm_text = clm_section(m_text),
  polr = polr_section,
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  package_versions = lapply(
    stats::setNames(nm = c("ordinal", "MASS", "sandwich", "jsonlite")),
    function(p) as.character(utils::packageVersion(p))),
  generated_by = "tests/reference/ordinal/reference.R"
)

# jsonlite prints at most 15 significant digits; pre-format every double
# with %.17g (exact round trip). Counts stay JSON integers.
exact <- function(v) {
  if (is.list(v)) {
    nm <- names(v)
    v <- lapply(v, exact)
    names(v) <- nm
    v
  } else if (is.double(v) && length(v) == 1) {
    if (!is.finite(v)) stop("non-finite value in output")
    structure(sprintf("%.17g", v), class = "json")
  } else if (length(v) == 1) {
    unname(v)
  } else {
    stop("unexpected vector of length ", length(v))
  }
}
json <- jsonlite::toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE,
                         pretty = TRUE, na = "null")
writeLines(json, file.path(here, "reference.json"), useBytes = TRUE)

# Summary: how far polr and clm are apart (reported in README.md).
cl <- out$clm
po <- out$polr
gap <- function(a, b, what) {
  max(unlist(Map(function(x, y) abs(x[[what]] - y[[what]]), a, b)))
}
cat(sprintf("n = %d, clm loglik = %.12f, max |gradient| = %.3g, iterations = %d\n",
            n, cl$loglik, cl$max_abs_gradient, cl$iterations))
cat(sprintf("polr vs clm, max abs diff: slopes %.3g, thresholds %.3g, SEs %.3g / %.3g, HC0 SEs %.3g / %.3g, loglik %.3g\n",
            gap(cl$coefficients, po$coefficients, "estimate"),
            gap(cl$thresholds, po$thresholds, "estimate"),
            gap(cl$coefficients, po$coefficients, "std_error"),
            gap(cl$thresholds, po$thresholds, "std_error"),
            gap(cl$hc0$coefficients, po$hc0$coefficients, "std_error"),
            gap(cl$hc0$thresholds, po$hc0$thresholds, "std_error"),
            abs(cl$loglik - po$loglik)))
tx <- out$clm_text
cat(sprintf("text vs coded clm, max abs diff: slopes %.3g, thresholds %.3g\n",
            gap(cl$coefficients, tx$coefficients, "estimate"),
            max(abs(unlist(lapply(cl$thresholds, `[[`, "estimate")) -
                      unlist(lapply(tx$thresholds, `[[`, "estimate"))))))
