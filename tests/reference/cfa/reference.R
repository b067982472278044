# Reference values for analysis/measures/factor_models.py, computed once in R with lavaan.
#
# Reads data.csv (made by make_data.py: 35 HSE items with a known seven-factor structure, two
# ethnic groups; empty cell = missing) and writes reference.json with these sections:
#   cfa          the seven-factor CFA of the HSE tool, all respondents (listwise)
#   cfa_subset   three factors only (demands, peer support, change)
#   cfa_two_item a model with a two-item factor (change without item 32), its two loadings
#                fixed equal (both 1: the marker scale)
#   cfa_fiml     the seven-factor CFA by full-information ML (missing = "ml")
#   scalar_fiml_subset  the scalar model of three factors across the groups, by FIML
#   invariance   configural, metric and scalar models across the two ethnic groups
# Every double is written with %.17g (round-trip exact). See README.md for what each number is.
#
# Usage (from anywhere):  Rscript reference.R
# Needs (Debian): r-base-core r-cran-jsonlite r-cran-lavaan

suppressPackageStartupMessages({
  library(jsonlite)
  library(lavaan)
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else getwd()

dat <- read.csv(file.path(here, "data.csv"), stringsAsFactors = FALSE, na.strings = "")
stopifnot(nrow(dat) == 3421L)

# Reverse keying, as the instrument file says (answers 1..5: keyed = 6 - answer).
REVERSE <- c(3, 5, 6, 9, 12, 14, 16, 18, 20, 21, 22, 34)
item <- function(k) sprintf("hse_%02d", k)
for (k in REVERSE) dat[[item(k)]] <- 6 - dat[[item(k)]]
dat$bme <- ifelse(dat$ethnicity %in% c("black", "asian", "mixed", "other"), "1", "0")

SCALES <- list(
  hse_demands = c(3, 6, 9, 12, 16, 18, 20, 22),
  hse_control = c(2, 10, 15, 19, 25, 30),
  hse_managers_support = c(8, 23, 29, 33, 35),
  hse_peer_support = c(7, 24, 27, 31),
  hse_relationships = c(5, 14, 21, 34),
  hse_role = c(1, 4, 11, 13, 17),
  hse_change = c(26, 28, 32)
)
model_of <- function(scales, fixed = character(0)) {
  lines <- vapply(names(scales), function(f) {
    lhs <- item(scales[[f]])
    if (f %in% fixed) lhs <- paste0("1*", lhs)
    paste(f, "=~", paste(lhs, collapse = " + "))
  }, "")
  paste(lines, collapse = "\n")
}

MEASURES <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
              "srmr", "aic", "bic", "logl", "npar", "ntotal", "baseline.chisq", "baseline.df")
measures <- function(fit) {
  fm <- fitMeasures(fit, MEASURES)
  out <- as.list(unname(fm))
  names(out) <- gsub(".", "_", MEASURES, fixed = TRUE)
  out$df <- as.integer(round(out$df))
  out$npar <- as.integer(round(out$npar))
  out$ntotal <- as.integer(round(out$ntotal))
  out$baseline_df <- as.integer(round(out$baseline_df))
  out
}
# Estimates with their standard errors (expected information, lavaan's default), and the
# standardised (std.all) value with its delta-method standard error (standardizedSolution).
estimates <- function(fit, pick) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  keep <- pick(pe)
  stopifnot(identical(pe$lhs[keep], ss$lhs[keep]), identical(pe$rhs[keep], ss$rhs[keep]))
  cbind(pe[keep, ], std = ss$est.std[keep], std_se = ss$se[keep])
}
loadings <- function(fit) {
  pe <- estimates(fit, function(pe) pe$op == "=~")
  lapply(seq_len(nrow(pe)), function(i) list(
    group = as.integer(if (is.null(pe$group)) 1L else pe$group[i]),
    scale = pe$lhs[i], item = pe$rhs[i], estimate = pe$est[i], std_error = pe$se[i],
    std_loading = pe$std[i], std_loading_se = pe$std_se[i]))
}
correlations <- function(fit) {
  pe <- estimates(fit, function(pe) pe$op == "~~" & pe$lhs != pe$rhs & pe$lhs %in% names(SCALES))
  lapply(seq_len(nrow(pe)), function(i) list(
    group = as.integer(if (is.null(pe$group)) 1L else pe$group[i]),
    scale_1 = pe$lhs[i], scale_2 = pe$rhs[i], correlation = pe$std[i],
    correlation_se = pe$std_se[i], covariance = pe$est[i], std_error = pe$se[i]))
}
single <- function(model) {
  fit <- cfa(model, data = dat, estimator = "ML")
  stopifnot(lavInspect(fit, "converged"))
  list(fit = measures(fit), loadings = loadings(fit), factor_correlations = correlations(fit))
}

out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  r_version = R.version.string,
  generated_by = "tests/reference/cfa/reference.R"
)
out$cfa <- single(model_of(SCALES))
out$cfa_subset <- single(model_of(SCALES[c("hse_demands", "hse_peer_support", "hse_change")]))
two <- SCALES
two$hse_change <- c(26, 28)
out$cfa_two_item <- single(model_of(two, fixed = "hse_change"))

# Full-information ML (missing = "ml"): every respondent with at least one answer, the saturated
# model by EM; standard errors from the observed information (lavaan's default with FIML).
single_fiml <- function(model) {
  fit <- cfa(model, data = dat, estimator = "ML", missing = "ml")
  stopifnot(lavInspect(fit, "converged"))
  list(fit = measures(fit), loadings = loadings(fit), factor_correlations = correlations(fit))
}
out$cfa_fiml <- single_fiml(model_of(SCALES))
fiml_scalar <- cfa(model_of(SCALES[c("hse_demands", "hse_peer_support", "hse_change")]), data = dat,
                   estimator = "ML", missing = "ml", group = "bme", group.label = c("0", "1"),
                   group.equal = c("loadings", "intercepts"))
stopifnot(lavInspect(fiml_scalar, "converged"))
out$scalar_fiml_subset <- list(fit = measures(fiml_scalar), loadings = loadings(fiml_scalar))

# Measurement invariance across the ethnic groups (white first: group.label fixes the order).
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
fits <- lapply(steps, function(eq) {
  fit <- cfa(model_of(SCALES), data = dat, estimator = "ML", group = "bme",
             group.label = c("0", "1"), group.equal = eq)
  stopifnot(lavInspect(fit, "converged"))
  fit
})
inv <- lapply(names(fits), function(step) {
  r <- list(step = step, fit = measures(fits[[step]]), loadings = loadings(fits[[step]]))
  r$n_groups <- as.list(as.integer(lavInspect(fits[[step]], "nobs")))
  r
})
names(inv) <- names(fits)
for (k in 2:3) {
  lrt <- lavTestLRT(fits[[k - 1]], fits[[k]])
  inv[[k]]$chisq_diff <- lrt[["Chisq diff"]][2]
  inv[[k]]$df_diff <- as.integer(round(lrt[["Df diff"]][2]))
  inv[[k]]$p_diff <- lrt[["Pr(>Chisq)"]][2]
}
# Latent means of the BME group in the scalar model (the white group's are fixed at 0).
pe <- parameterEstimates(fits$scalar)
lm <- pe[pe$op == "~1" & pe$lhs %in% names(SCALES) & pe$group == 2, ]
inv$scalar$latent_means <- lapply(seq_len(nrow(lm)), function(i) list(
  scale = lm$lhs[i], estimate = lm$est[i], std_error = lm$se[i]))
out$invariance <- inv

# jsonlite prints at most 15 significant digits, which does not round-trip a
# double; so every double is pre-formatted with %.17g and passed verbatim.
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

for (name in c("cfa", "cfa_subset", "cfa_two_item", "cfa_fiml", "scalar_fiml_subset")) {
  f <- out[[name]]$fit
  cat(sprintf("%s: n=%d chisq=%.6f df=%d cfi=%.6f tli=%.6f rmsea=%.6f [%.6f, %.6f] srmr=%.6f\n",
              name, f$ntotal, f$chisq, f$df, f$cfi, f$tli, f$rmsea, f$rmsea_ci_lower,
              f$rmsea_ci_upper, f$srmr))
}
for (step in names(inv)) {
  f <- inv[[step]]$fit
  cat(sprintf("%s: chisq=%.6f df=%d cfi=%.6f rmsea=%.6f srmr=%.6f%s\n", step, f$chisq, f$df,
              f$cfi, f$rmsea, f$srmr,
              if (is.null(inv[[step]]$chisq_diff)) "" else
                sprintf(" diff=%.6f (%d) p=%.4g", inv[[step]]$chisq_diff, inv[[step]]$df_diff,
                        inv[[step]]$p_diff)))
}
