# Reference numbers for raking (survey::rake, survey::trimWeights), the random-intercept model
# (lme4::lmer, REML) and Rubin's rules (mice::pool), read by tests/test_weights.py,
# tests/test_mixed.py and tests/test_imputation.py. Run from this folder: Rscript reference.R
suppressPackageStartupMessages({
  library(survey); library(lme4); library(mice); library(jsonlite)
})
d <- read.csv("data.csv", na.strings = "", stringsAsFactors = FALSE)
imp <- read.csv("imputed.csv", na.strings = "", stringsAsFactors = FALSE)

# jsonlite prints at most 15 significant digits, which does not round-trip a double; so every
# double is written with %.17g and passed verbatim (vectors as JSON arrays). Counts are R integers.
num <- function(x) {
  if (!is.double(x)) stop("num() takes doubles")
  if (any(!is.finite(x))) stop("non-finite value in output")
  s <- sprintf("%.17g", x)
  structure(if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]"), class = "json")
}

# ---- raking ------------------------------------------------------------------------------
margins <- list(
  nation = c(England = 96000, Scotland = 11000, Wales = 6500, "Northern Ireland" = 6500),
  sector = c(children_families = 60000, adults = 42000, mixed = 12000, other = 6000),
  role = c(social_worker = 72000, senior_practitioner = 18000, manager = 15000, student_or_asye = 9000,
           independent = 6000))
cc <- d[complete.cases(d[, c("nation", "sector", "role")]), ]
pop <- lapply(names(margins), function(v) {
  p <- data.frame(names(margins[[v]]), as.numeric(margins[[v]]), stringsAsFactors = FALSE)
  names(p) <- c(v, "Freq"); p
})
smargins <- lapply(names(margins), function(v) as.formula(paste("~", v)))
ctl <- list(maxit = 1000, epsilon = 1e-14, verbose = FALSE)
rake_one <- function(des) rake(des, smargins, pop, control = ctl)
kish <- function(w) length(w) * sum(w^2) / sum(w)^2
r1 <- rake_one(svydesign(ids = ~1, weights = ~1, data = cc))
w1 <- unname(weights(r1))
r2 <- rake_one(svydesign(ids = ~1, weights = ~base_weight, data = cc))
w2 <- unname(weights(r2))
m1 <- mean(w1)
t1 <- trimWeights(r1, lower = 0.5 * m1, upper = 2 * m1, strict = TRUE)
w3 <- unname(weights(t1))
rake_out <- list(
  respondent_id = cc$respondent_id,
  weights = num(w1), design_effect = num(kish(w1)), weight_min = num(min(w1)), weight_max = num(max(w1)),
  base_weighted = list(weights = num(w2), design_effect = num(kish(w2))),
  trimmed = list(lower = num(0.5 * m1), upper = num(2 * m1), weights = num(w3), design_effect = num(kish(w3))),
  weighted_mean_pss4 = num(unname(coef(svymean(~pss4, r1)))))

# ---- random-intercept models -----------------------------------------------------------
lmer_out <- function(formula, data) {
  m <- lmer(formula, data = data, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 1e-3, rhoend = 1e-12,
                                                                       maxfun = 1e5)))
  vc <- as.data.frame(VarCorr(m))
  vg <- vc$vcov[1]; ve <- vc$vcov[2]
  b <- fixef(m); se <- sqrt(diag(as.matrix(vcov(m))))
  grp <- names(ranef(m))[1]
  list(n = nobs(m), n_groups = as.integer(unname(ngrps(m)[1])), terms = names(b), estimate = num(unname(b)),
       std_error = num(unname(se)), var_group = num(vg), var_residual = num(ve),
       icc = num(vg / (vg + ve)), reml_loglik = num(as.numeric(logLik(m))),
       singular = isSingular(m))
}
dt <- d; dt$sector <- factor(dt$sector, levels = c("children_families", "adults", "mixed", "other"))
mixed_out <- list(
  team = lmer_out(pss4_team ~ sector + hse_demands + hse_control + hse_managers_support + (1 | team), dt),
  employer = lmer_out(pss4 ~ hse_demands + hse_control + hse_managers_support + (1 | employer), dt))

# ---- Rubin's rules ---------------------------------------------------------------------
imp$sector <- factor(imp$sector, levels = c("children_families", "adults", "mixed", "other"))
fits <- lapply(split(imp, imp$imp), function(x)
  lm(pss4 ~ sector + hse_demands + hse_control + hse_managers_support, data = x))
pooled <- pool(as.mira(fits))
p <- pooled$pooled
s <- summary(pooled, conf.int = TRUE)
pool_out <- list(m = length(fits), terms = as.character(p$term), estimate = num(p$estimate),
                 ubar = num(p$ubar), b = num(p$b), t = num(p$t), dfcom = num(as.double(p$dfcom)), df = num(p$df),
                 riv = num(p$riv), lambda = num(p$lambda), fmi = num(p$fmi),
                 std_error = num(s$std.error), statistic = num(s$statistic), p_value = num(s$p.value),
                 conf_low = num(s[["2.5 %"]]), conf_high = num(s[["97.5 %"]]),
                 n_per_fit = unname(sapply(fits, nobs)))

out <- list(
  generated_by = "tests/reference/design/reference.R",
  r_version = R.version.string,
  package_versions = lapply(c(survey = "survey", lme4 = "lme4", mice = "mice", jsonlite = "jsonlite"),
                            function(p) as.character(packageVersion(p))),
  rake = rake_out, mixed = mixed_out, pool = pool_out)
writeLines(toJSON(out, auto_unbox = TRUE, json_verbatim = TRUE, null = "null", na = "null", pretty = TRUE),
           "reference.json")
cat("rake: n =", nrow(cc), " deff =", kish(w1), " trimmed deff =", kish(w3), "\n")
cat("lmer team: var_group =", mixed_out$team$var_group, " icc =", mixed_out$team$icc, "\n")
cat("lmer employer: var_group =", mixed_out$employer$var_group, " singular =", mixed_out$employer$singular, "\n")
print(s)
