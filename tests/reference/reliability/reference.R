# Reference values for the reliability module, computed once in R.
#
# Reads data.csv (made by make_data.py), reverse-scores b4 as 6 - b4, and for
# each scale, using only respondents who answered every item of that scale
# (listwise deletion within the scale), computes:
#   n, k, Cronbach's raw alpha, Feldt 95% CI (closed form and psych's),
#   McDonald's omega total (psych::fa ML, lavaan::cfa ML, psych::omega),
#   item-rest correlations (psych r.drop and plain Pearson), and the
#   standardised one-factor ML loadings (psych::fa and lavaan).
# Then refits omega (lavaan) on the package's first 50 bootstrap resamples
# (resamples.csv, made by make_resamples.py) and stores the 50 values and
# their percentile interval under "bootstrap".
# Writes reference.json with doubles printed as %.17g (round-trip exact).
#
# Usage (from this directory):  Rscript reference.R
# Needs (Debian): r-base-core r-cran-psych r-cran-lavaan r-cran-jsonlite
#                 r-cran-gparotation

suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(jsonlite)
  library(GPArotation)  # needed by psych::omega
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

dat <- read.csv(file.path(here, "data.csv"), stringsAsFactors = FALSE,
                na.strings = "")
dat$b4 <- 6 - dat$b4  # reverse-worded item

scales <- list(
  scale_a = paste0("a", 1:6),
  scale_b = paste0("b", 1:4),
  scale_c = paste0("c", 1:3)
)

omega_from <- function(lambda, theta) {
  s <- sum(lambda)
  s^2 / (s^2 + sum(theta))
}

named <- function(values, names_) {
  stopifnot(length(values) == length(names_))
  out <- as.list(as.numeric(values))
  names(out) <- names_
  out
}

one_scale <- function(items) {
  x <- dat[stats::complete.cases(dat[, items]), items]
  n <- nrow(x)
  k <- length(items)

  # --- Cronbach's alpha (psych) and a closed-form cross-check -------------
  a <- psych::alpha(x, warnings = FALSE)
  alpha <- as.numeric(a$total$raw_alpha)
  cv <- stats::cov(x)
  alpha_closed <- k / (k - 1) * (1 - sum(diag(cv)) / sum(cv))

  # --- Feldt 95% CI --------------------------------------------------------
  df1 <- n - 1
  df2 <- (n - 1) * (k - 1)
  feldt_lower <- 1 - (1 - alpha) * stats::qf(0.975, df1, df2)
  feldt_upper <- 1 - (1 - alpha) * stats::qf(0.025, df1, df2)
  if (!is.null(a$feldt)) {
    feldt_lower_psych <- as.numeric(a$feldt$lower.ci)
    feldt_upper_psych <- as.numeric(a$feldt$upper.ci)
  } else {
    feldt_lower_psych <- NA_real_
    feldt_upper_psych <- NA_real_
  }

  # --- item-rest correlations ---------------------------------------------
  r_drop <- a$item.stats[items, "r.drop"]
  total <- rowSums(x)
  r_rest <- vapply(items, function(it) stats::cor(x[[it]], total - x[[it]]),
                   numeric(1))

  # --- one-factor ML: psych::fa --------------------------------------------
  f <- psych::fa(x, nfactors = 1, fm = "ml")
  lam_fa <- as.numeric(f$loadings[items, 1])
  if (sum(lam_fa) < 0) lam_fa <- -lam_fa  # sign of a factor is arbitrary
  u_fa <- as.numeric(f$uniquenesses[items])
  omega_fa <- omega_from(lam_fa, u_fa)

  # --- one-factor ML: lavaan::cfa, std.lv, std.all -------------------------
  model <- paste("F =~", paste(items, collapse = " + "))
  fit <- lavaan::cfa(model, data = x, std.lv = TRUE, estimator = "ML")
  ss <- lavaan::standardizedSolution(fit, type = "std.all")
  lam_lv <- ss$est.std[ss$op == "=~"][match(items, ss$rhs[ss$op == "=~"])]
  if (sum(lam_lv) < 0) lam_lv <- -lam_lv
  th <- ss[ss$op == "~~" & ss$lhs == ss$rhs & ss$lhs %in% items, ]
  u_lv <- th$est.std[match(items, th$lhs)]
  omega_lv <- omega_from(lam_lv, u_lv)

  # --- psych::omega with one factor ---------------------------------------
  # (needs GPArotation; warns that omega_h is meaningless for one factor).
  # psych defines omega.tot = 1 - sum(u2) / sum(R), i.e. it divides by the
  # OBSERVED total variance sum(cor(x)), not the model-implied one; the
  # closed form below reproduces it from the psych::fa fit.
  omega_psych <- tryCatch(
    suppressMessages(suppressWarnings(as.numeric(
      psych::omega(x, nfactors = 1, fm = "ml", plot = FALSE)$omega.tot))),
    error = function(e) NA_real_)
  omega_psych_formula <- 1 - sum(u_fa) / sum(stats::cor(x))

  list(
    items = items,
    n = n,
    k = k,
    alpha = alpha,
    alpha_closed_form = alpha_closed,
    feldt_lower = feldt_lower,
    feldt_upper = feldt_upper,
    feldt_lower_psych = feldt_lower_psych,
    feldt_upper_psych = feldt_upper_psych,
    omega_fa_ml = omega_fa,
    omega_lavaan = omega_lv,
    omega_psych = omega_psych,
    omega_psych_formula = omega_psych_formula,
    item_rest = named(r_drop, items),
    item_rest_pearson = named(r_rest, items),
    loadings = named(lam_fa, items),
    loadings_lavaan = named(lam_lv, items),
    uniquenesses = named(u_fa, items),
    uniquenesses_lavaan = named(u_lv, items)
  )
}

# --- bootstrap resamples of omega ------------------------------------------
# resamples.csv (make_resamples.py) holds the package's first 50 resamples of
# the 300 respondents (0-based rows of data.csv). On each resample: take the
# rows drawn (repeats included), keep the respondents drawn who answered every
# item of the scale (the package's listwise rule, applied within the
# resample), fit the standardised one-factor CFA with lavaan (tight
# tolerance), omega = (sum lambda)^2 / ((sum lambda)^2 + sum theta). Where the
# unbounded fit is improper (a residual variance < 0, a Heywood case) the fit
# is repeated with bounds = "pos.var" (residual variances >= 0), the
# package's rule for such cases; `heywood` lists those resamples (1-based).
# The percentile interval is quantile(omegas, c(0.025, 0.975), type = 7).
resamples <- as.matrix(utils::read.csv(file.path(here, "resamples.csv"))) + 1L

cfa_omega <- function(x, items, bounds = "none") {
  model <- paste("F =~", paste(items, collapse = " + "))
  fit <- suppressWarnings(lavaan::cfa(model, data = x, std.lv = TRUE,
                                      estimator = "ML", bounds = bounds,
                                      control = list(rel.tol = 1e-14)))
  ss <- lavaan::standardizedSolution(fit, type = "std.all", se = FALSE)
  lam <- ss$est.std[ss$op == "=~"]
  th <- ss[ss$op == "~~" & ss$lhs == ss$rhs & ss$lhs %in% items, ]
  list(omega = omega_from(lam, th$est.std),
       improper = any(th$est.std < 0))
}

boot_scale <- function(items) {
  omegas <- numeric(nrow(resamples))
  n_used <- integer(nrow(resamples))
  heywood <- integer(0)
  for (b in seq_len(nrow(resamples))) {
    x <- dat[resamples[b, ], items]
    x <- x[stats::complete.cases(x), ]
    n_used[b] <- nrow(x)
    r <- cfa_omega(x, items)
    if (r$improper) {
      heywood <- c(heywood, b)
      r <- cfa_omega(x, items, bounds = "pos.var")
    }
    omegas[b] <- r$omega
  }
  q <- stats::quantile(omegas, c(0.025, 0.975), type = 7, names = FALSE)
  list(n_used = n_used, omega = as.list(omegas), heywood = I(heywood),
       conf_low = q[1], conf_high = q[2])
}

out <- lapply(scales, one_scale)
out$bootstrap <- c(list(n_boot = nrow(resamples), seed = 20181203L,
                        indices = "resamples.csv"),
                   lapply(scales, boot_scale))
out$r_version <- paste(R.version$major, R.version$minor, sep = ".")
out$psych_version <- as.character(utils::packageVersion("psych"))
out$lavaan_version <- as.character(utils::packageVersion("lavaan"))
out$generated_by <- "tests/reference/reliability/reference.R"

# jsonlite prints at most 15 significant digits, which does not round-trip a
# double; so every double is pre-formatted with %.17g and passed verbatim.
exact <- function(v) {
  if (is.list(v)) {
    nm <- names(v)
    v <- lapply(v, exact)
    names(v) <- nm
    v
  } else if (is.double(v) && length(v) == 1) {
    if (is.na(v)) NA else structure(sprintf("%.17g", v), class = "json")
  } else {
    v
  }
}
# n and k are counts: keep them integral in JSON.
for (s in names(scales)) {
  out[[s]]$n <- as.integer(out[[s]]$n)
  out[[s]]$k <- as.integer(out[[s]]$k)
}

json <- jsonlite::toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE,
                         pretty = TRUE, na = "null")
writeLines(json, file.path(here, "reference.json"), useBytes = TRUE)

# Human-readable summary on stdout.
for (s in names(scales)) {
  r <- out[[s]]
  cat(sprintf(paste0("%s: n=%d k=%d alpha=%.6f CI=[%.6f, %.6f] ",
                     "psychCI=[%.6f, %.6f] omega fa=%.8f lavaan=%.8f ",
                     "psych=%.8f\n"),
              s, r$n, r$k, r$alpha, r$feldt_lower, r$feldt_upper,
              r$feldt_lower_psych, r$feldt_upper_psych,
              r$omega_fa_ml, r$omega_lavaan, r$omega_psych))
}
