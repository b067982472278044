# Reference numbers for weighted estimates, weighted models and cluster-robust errors
# (analysis.stats.estimates / models). Run from this folder: Rscript reference.R
suppressPackageStartupMessages({library(survey); library(sandwich); library(jsonlite)})
d <- read.csv("../design/data.csv", na.strings = "", stringsAsFactors = FALSE)
d$high <- as.numeric(d$pss4 >= 9)                      # made-up 0/1 outcome: PSS-4 of 9 or more
d$sector <- factor(d$sector, levels = c("adults", "children_families", "mixed", "other"))
d$w <- d$base_weight                                   # made-up fixed weights, uniform on (0.5, 2)
des <- svydesign(ids = ~1, weights = ~w, data = d)
# jsonlite prints at most 15 significant digits; so every double is written with %.17g verbatim.
num <- function(x) {
  if (any(!is.finite(x))) stop("non-finite value in output")
  s <- sprintf("%.17g", x)
  structure(if (length(x) == 1) s else paste0("[", paste(s, collapse = ", "), "]"), class = "json")
}
dbl <- function(x) unname(as.numeric(x))

one_mean <- function(design, var) {
  m <- svymean(as.formula(paste0("~", var)), design, deff = TRUE, na.rm = TRUE)
  ci <- confint(m)
  list(estimate = dbl(coef(m)), std_error = dbl(SE(m)), deff = dbl(deff(m)),
       conf_low = dbl(ci[1]), conf_high = dbl(ci[2]), n = sum(!is.na(design$variables[[var]])),
       weighted_n = sum(weights(design)[!is.na(design$variables[[var]])]))
}
one_share <- function(design, var) {
  out <- one_mean(design, var)
  p <- svyciprop(as.formula(paste0("~", var)), design, method = "logit", level = 0.95)
  ci <- attr(p, "ci")
  out$conf_low <- dbl(ci[1]); out$conf_high <- dbl(ci[2])
  out
}
by_sector <- function(fun, var) {
  rows <- lapply(levels(d$sector), function(s) fun(subset(des, !is.na(sector) & sector == s), var))
  names(rows) <- levels(d$sector)
  rows
}
# svyby's standard errors for the same groups (to show the subset and svyby agree)
sb_mean <- svyby(~pss4, ~sector, des, svymean, deff = TRUE)

model_out <- function(m, df) {
  ci <- confint(m, ddf = df)
  s <- coef(summary(m, df.resid = df))
  list(terms = rownames(s), estimate = dbl(s[, 1]), std_error = dbl(s[, 2]), statistic = dbl(s[, 3]),
       p_value = dbl(s[, 4]), conf_low = dbl(ci[, 1]), conf_high = dbl(ci[, 2]), df = df, n = nobs(m),
       wald_f = wald(m))
}
# regTermTest's Wald F of all slopes (F = W / q on (q, df.residual))
wald <- function(m) {
  r <- regTermTest(m, ~sector + hse_demands + hse_control + hse_managers_support, method = "Wald")
  list(statistic = dbl(r$Ftest), df1 = dbl(r$df), df2 = dbl(r$ddf), p_value = dbl(r$p))
}
# glm's default epsilon (1e-8) leaves the logits' errors ~1e-6 short of convergence: fit tightly.
tight <- glm.control(epsilon = 1e-14, maxit = 100)
f_lin <- pss4 ~ sector + hse_demands + hse_control + hse_managers_support
f_bin <- high ~ sector + hse_demands + hse_control + hse_managers_support
sg <- svyglm(f_lin, des)
sl <- svyglm(f_bin, des, family = quasibinomial(), control = tight)
desc <- svydesign(ids = ~team, weights = ~w, data = d)
sgc <- svyglm(f_lin, desc)
slc <- svyglm(f_bin, desc, family = quasibinomial(), control = tight)

cl <- function(m, cluster, data) {
  V <- vcovCL(m, cluster = cluster, type = "HC1")
  list(terms = names(coef(m)), estimate = dbl(coef(m)), std_error = dbl(sqrt(diag(V))), n = nobs(m),
       n_clusters = length(unique(data[[all.vars(cluster)]])))
}
cc <- d[complete.cases(d[, c("pss4", "high", "sector", "hse_demands", "hse_control", "hse_managers_support")]), ]
cce <- cc[!is.na(cc$employer), ]
lm_t <- lm(f_lin, data = cc); glm_t <- glm(f_bin, data = cc, family = binomial(), control = tight)
lm_e <- lm(f_lin, data = cce); glm_e <- glm(f_bin, data = cce, family = binomial(), control = tight)

ref <- list(
  package_versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                          survey = as.character(packageVersion("survey")),
                          sandwich = as.character(packageVersion("sandwich"))),
  share_high = one_share(des, "high"),
  share_high_by_sector = by_sector(one_share, "high"),
  mean_pss4 = one_mean(des, "pss4"),
  mean_pss4_by_sector = by_sector(one_mean, "pss4"),
  mean_support = one_mean(des, "hse_managers_support"),       # 2 missing: they stay in the design
  mean_support_by_sector = by_sector(one_mean, "hse_managers_support"),
  svyby_mean_pss4 = list(se = dbl(SE(sb_mean)), deff = dbl(deff(sb_mean))),
  svyglm_gaussian = model_out(sg, sg$df.residual),
  svyglm_quasibinomial = model_out(sl, sl$df.residual),
  svyglm_gaussian_team = model_out(sgc, sgc$df.residual),
  svyglm_quasibinomial_team = model_out(slc, slc$df.residual),
  vcovcl_lm_team = cl(lm_t, ~team, cc), vcovcl_glm_team = cl(glm_t, ~team, cc),
  vcovcl_lm_employer = cl(lm_e, ~employer, cce), vcovcl_glm_employer = cl(glm_e, ~employer, cce)
)
fix <- function(x) if (is.list(x)) lapply(x, fix) else if (is.double(x)) num(x) else x
writeLines(toJSON(fix(ref), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE), "reference.json")
str(ref[c("share_high", "mean_pss4")])
print(sb_mean); print(summary(sg)$coefficients[1:3, ]); print(sg$df.residual); print(sgc$df.residual)

# ---- compare_groups(weights = "w"): design-based group comparisons --------------------------
# Appended section: adds the key compare_groups_weighted to reference.json (keys above unchanged).
# england: two groups (England / elsewhere; 38 without a nation stay in the design with no group).
d$england <- factor(ifelse(d$nation == "England", "England", "elsewhere"), levels = c("England", "elsewhere"))
des2 <- svydesign(ids = ~1, weights = ~w, data = d)
term_test <- function(m, by) {
  r <- regTermTest(m, as.formula(paste0("~", by)), method = "Wald")
  list(statistic = dbl(r$Ftest), df1 = dbl(r$df), df2 = dbl(r$ddf), p_value = dbl(r$p))
}
compare_one <- function(outcome, by) {
  f <- as.formula(paste(outcome, "~", by))
  lin <- svyglm(f, des2)                                 # gaussian: coefficients are differences
  out <- list(wald_linear = term_test(lin, by))
  if (outcome == "high") {
    # Rao-Scott's second-order corrected Pearson chi-square as an F (svychisq's default)
    rs <- svychisq(as.formula(paste0("~", outcome, " + ", by)), des2, statistic = "F")
    out$rao_scott <- list(statistic = dbl(rs$statistic), df1 = dbl(rs$parameter[1]), df2 = dbl(rs$parameter[2]),
                          p_value = dbl(rs$p.value))
  }
  if (nlevels(d[[by]]) == 2) {
    ci <- confint(lin, ddf = lin$df.residual)
    s <- coef(summary(lin, df.resid = lin$df.residual))
    # first group minus second = minus the coefficient of the second group's dummy
    out$difference <- list(estimate = -dbl(s[2, 1]), std_error = dbl(s[2, 2]), conf_low = -dbl(ci[2, 2]),
                           conf_high = -dbl(ci[2, 1]), df = lin$df.residual)
    sb <- svyby(as.formula(paste0("~", outcome)), as.formula(paste0("~", by)), des2, svymean, covmat = TRUE)
    sc <- svycontrast(sb, c(1, -1))
    out$svycontrast <- list(estimate = dbl(coef(sc)), std_error = dbl(SE(sc)))
  }
  sb <- svyby(as.formula(paste0("~", outcome)), as.formula(paste0("~", by)), des2, svymean)
  out$svyby <- list(groups = as.character(sb[[by]]), estimate = dbl(coef(sb)), std_error = dbl(SE(sb)))
  out
}
ref$compare_groups_weighted <- list(
  england = list(pss4 = compare_one("pss4", "england"), high = compare_one("high", "england")),
  sector = list(pss4 = compare_one("pss4", "sector"), high = compare_one("high", "sector"))
)
# an empty cell: nobody of sector 'other' has high = 1 (high0); survey takes 1/p of an empty cell as 0
des3 <- update(des2, high0 = ifelse(!is.na(sector) & sector == "other", 0, high))
rs0 <- svychisq(~high0 + sector, des3, statistic = "F")
ref$compare_groups_weighted$sector_empty_cell <- list(statistic = dbl(rs0$statistic), df1 = dbl(rs0$parameter[1]),
                                                      df2 = dbl(rs0$parameter[2]), p_value = dbl(rs0$p.value))
writeLines(toJSON(fix(ref), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE), "reference.json")
str(ref$compare_groups_weighted$england)
