# Reference numbers for compare_groups / compare_waves / analysis.stats.intervals (issue 15).
# Reads ../models/data.csv (read-only) and paired.csv; writes reference.json (every double %.17g).
# Run from this folder: Rscript reference.R
suppressPackageStartupMessages({library(jsonlite); library(effectsize)})

z_of <- function(level) qnorm(1 - (1 - level) / 2)

# Wilson score interval without continuity correction (prop.test(correct = FALSE)$conf.int).
wilson <- function(k, n, level = 0.95) {
  z <- z_of(level); p <- k / n
  centre <- (2 * k + z^2) / (2 * (n + z^2))
  half <- z * sqrt(z^2 + 4 * k * (1 - p)) / (2 * (n + z^2))
  c(centre - half, centre + half)
}

# Newcombe (1998) method 10: hybrid score interval for p1 - p0, hand-coded from the paper.
newcombe <- function(k1, n1, k0, n0, level = 0.95) {
  p1 <- k1 / n1; p0 <- k0 / n0; w1 <- wilson(k1, n1, level); w0 <- wilson(k0, n0, level); d <- p1 - p0
  c(d - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2), d + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
}

score_test <- function(k1, n1, k0, n0) {
  if (k1 + k0 == 0 || k1 + k0 == n1 + n0) return(list(statistic = NA, p = NA))
  pt <- suppressWarnings(prop.test(c(k1, k0), c(n1, n0), correct = FALSE))
  list(statistic = unname(pt$statistic), p = pt$p.value)
}

newcombe_case <- function(k1, n1, k0, n0) {
  ci <- newcombe(k1, n1, k0, n0); s <- score_test(k1, n1, k0, n0)
  list(k1 = k1, n1 = n1, k0 = k0, n0 = n0, estimate = k1 / n1 - k0 / n0, conf_low = ci[1], conf_high = ci[2],
       score_statistic = s$statistic, score_p = s$p)
}

out <- list()

# ---- 1. Newcombe's interval: the six examples of Newcombe (1998) Table II, 10/10 vs 0/12, and the two
# tables where the score test and the interval disagree about 0 near p = 0.05.
cases <- list(c(56, 70, 48, 80), c(9, 10, 3, 10), c(6, 7, 2, 7), c(5, 56, 0, 29), c(0, 10, 0, 20), c(10, 10, 0, 20),
              c(10, 10, 0, 12), c(11, 20, 15, 50), c(9, 25, 5, 35))
out$newcombe <- lapply(cases, function(v) newcombe_case(v[1], v[2], v[3], v[4]))
out$newcombe_90 <- {ci <- newcombe(56, 70, 48, 80, 0.90); list(conf_low = ci[1], conf_high = ci[2])}

# ---- 2. Two groups on models/data.csv: first group BME (bme = 1), second white (bme = 0).
d <- read.csv("../models/data.csv")
x1 <- d$pss4[!is.na(d$bme) & d$bme == 1]; x0 <- d$pss4[!is.na(d$bme) & d$bme == 0]
hedges_exact <- function(x1, x0, level = 0.95) {
  n1 <- length(x1); n0 <- length(x0); df <- n1 + n0 - 2
  sp <- sqrt(((n1 - 1) * var(x1) + (n0 - 1) * var(x0)) / df)
  dd <- (mean(x1) - mean(x0)) / sp; hn <- sqrt(1 / n1 + 1 / n0); t <- dd / hn
  J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  a <- 1 - level
  root <- function(q) uniroot(function(ncp) pt(t, df, ncp) - q, c(t - 5, t + 5), tol = 1e-13)$root
  es <- as.data.frame(effectsize::hedges_g(x1, x0, pooled_sd = TRUE, ci = level))
  st <- t.test(x1, x0, var.equal = TRUE, conf.level = level)
  list(g = dd * J, J = J, t = t, df = df, student_p = st$p.value,
       conf_low = root(1 - a / 2) * hn * J, conf_high = root(a / 2) * hn * J,
       effectsize = list(g = es$Hedges_g, conf_low = es$CI_low, conf_high = es$CI_high))
}
out$hedges <- hedges_exact(x1, x0)
out$hedges_small <- hedges_exact(c(4, 5, 6, 7, 8), c(3, 4, 4, 5, 6))
out$hedges_small_90 <- hedges_exact(c(4, 5, 6, 7, 8), c(3, 4, 4, 5, 6), 0.90)

keep <- !is.na(d$bme) & !is.na(d$intend_leave_job)
y1 <- d$intend_leave_job[keep & d$bme == 1]; y0 <- d$intend_leave_job[keep & d$bme == 0]
tb <- table(factor(d$bme[keep], levels = c(1, 0)), d$intend_leave_job[keep])
cs <- chisq.test(tb, correct = FALSE)
ci <- newcombe(sum(y1), length(y1), sum(y0), length(y0))
out$binary_groups <- list(chi2 = unname(cs$statistic), p = cs$p.value, k1 = sum(y1), n1 = length(y1),
                          k0 = sum(y0), n0 = length(y0), estimate = mean(y1) - mean(y0),
                          conf_low = ci[1], conf_high = ci[2])

# ---- 3. Small tables.
warns <- function(expr) {
  w <- FALSE
  withCallingHandlers(expr, warning = function(e) {w <<- TRUE; invokeRestart("muffleWarning")})
  w
}
# A 2 x 2 table with an expected count below 5: Fisher's p, the exact permutation p of X2 (sum of
# hypergeometric probabilities of tables with X2 >= the observed, margins fixed) and R's Monte Carlo p.
t22 <- matrix(c(2, 9, 8, 4), 2, byrow = TRUE)   # rows: groups; columns: yes, no
x2_of <- function(m) suppressWarnings(chisq.test(m, correct = FALSE)$statistic)
r1 <- sum(t22[1, ]); c1 <- sum(t22[, 1]); N <- sum(t22)
support <- max(0, c1 - (N - r1)):min(r1, c1)
x2s <- sapply(support, function(a) x2_of(matrix(c(a, r1 - a, c1 - a, N - r1 - c1 + a), 2, byrow = TRUE)))
x2obs <- x2_of(t22)
exact_x2_p <- sum(dhyper(support, r1, N - r1, c1)[x2s >= x2obs * (1 - 64 * .Machine$double.eps)])
set.seed(15)
mc22 <- suppressWarnings(chisq.test(t22, simulate.p.value = TRUE, B = 200000))
out$small_2x2 <- list(table = t22, fisher_p = fisher.test(t22)$p.value, exact_x2_p = exact_x2_p,
                      x2 = unname(x2obs), r_mc_p = mc22$p.value, r_mc_B = 200000,
                      r_warns = warns(chisq.test(t22, correct = FALSE)))
# A 4 x 2 table (four groups, 0/1 outcome) with 5 of 8 expected counts below 5 (62.5 %): Monte Carlo.
t42 <- matrix(c(3, 9, 1, 8, 6, 6, 2, 1), 4, byrow = TRUE)
set.seed(15)
mc42 <- chisq.test(t42, simulate.p.value = TRUE, B = 200000)
out$small_4x2 <- list(table = t42, x2 = unname(suppressWarnings(chisq.test(t42))$statistic),
                      expected = suppressWarnings(chisq.test(t42))$expected,
                      r_mc_p = mc42$p.value, r_mc_B = 200000, fisher_exact_rxc_p = fisher.test(t42)$p.value,
                      r_warns = warns(chisq.test(t42)))
# A 3 x 2 table with one expected count below 5 of 6 (16.7 %): asymptotic, R warns.
t32 <- matrix(c(15, 35, 14, 36, 1, 9), 3, byrow = TRUE)
c32 <- suppressWarnings(chisq.test(t32))
out$small_3x2 <- list(table = t32, x2 = unname(c32$statistic), df = unname(c32$parameter), p = c32$p.value,
                      min_expected = min(c32$expected), r_warns = warns(chisq.test(t32)))

# ---- 4. Waves (paired.csv): independent and paired comparisons, Holm and BH across the measures.
w <- read.csv("paired.csv", colClasses = c(respondent_id = "character"))
a <- w[w$wave == 2017, ]; b <- w[w$wave == 2018, ]
indep <- list()
for (m in c("pss4", "leave", "dissatisfied")) {
  xa <- a[[m]][!is.na(a[[m]])]; xb <- b[[m]][!is.na(b[[m]])]
  if (m == "pss4") {
    tt <- t.test(xb, xa)
    indep[[m]] <- list(estimate = mean(xb) - mean(xa), statistic = unname(tt$statistic), df = unname(tt$parameter),
                       p = tt$p.value, conf_low = tt$conf.int[1], conf_high = tt$conf.int[2])
  } else {
    ci <- newcombe(sum(xb), length(xb), sum(xa), length(xa)); s <- score_test(sum(xb), length(xb), sum(xa), length(xa))
    indep[[m]] <- list(estimate = mean(xb) - mean(xa), statistic = s$statistic, p = s$p,
                       conf_low = ci[1], conf_high = ci[2])
  }
}
ps <- sapply(indep, function(r) r$p)
out$waves_independent <- list(measures = indep, holm = unname(p.adjust(ps, "holm")), bh = unname(p.adjust(ps, "BH")))

j <- merge(a, b, by = "respondent_id", suffixes = c("_from", "_to"))
paired <- list()
for (m in c("pss4", "leave", "dissatisfied")) {
  ok <- !is.na(j[[paste0(m, "_from")]]) & !is.na(j[[paste0(m, "_to")]])
  x <- j[[paste0(m, "_from")]][ok]; y <- j[[paste0(m, "_to")]][ok]; n <- length(x)
  if (m == "pss4") {
    tt <- t.test(y, x, paired = TRUE)
    paired[[m]] <- list(n = n, estimate = unname(tt$estimate), statistic = unname(tt$statistic),
                        df = unname(tt$parameter), p = tt$p.value, conf_low = tt$conf.int[1], conf_high = tt$conf.int[2])
  } else {
    n01 <- sum(x == 0 & y == 1); n10 <- sum(x == 1 & y == 0); dd <- (n01 - n10) / n
    se <- sqrt(n01 + n10 - (n01 - n10)^2 / n) / n
    if (n01 + n10 < 25) {
      bt <- binom.test(n01, n01 + n10)
      test <- list(statistic = NA, p = bt$p.value, method = "exact binomial")
    } else {
      mt <- mcnemar.test(table(factor(x, 0:1), factor(y, 0:1)), correct = TRUE)
      test <- list(statistic = unname(mt$statistic), p = mt$p.value, method = "mcnemar.test correct=TRUE")
    }
    paired[[m]] <- c(list(n = n, n01 = n01, n10 = n10, estimate = dd, std_error = se,
                          conf_low = dd - qnorm(0.975) * se, conf_high = dd + qnorm(0.975) * se), test)
  }
}
pp <- sapply(paired, function(r) r$p)
out$waves_paired <- list(measures = paired, holm = unname(p.adjust(pp, "holm")), bh = unname(p.adjust(pp, "BH")))

out$versions <- list(R = R.version.string, effectsize = as.character(packageVersion("effectsize")),
                     jsonlite = as.character(packageVersion("jsonlite")))
# jsonlite prints at most 15 significant digits, which does not round-trip a double: every double is
# pre-formatted with %.17g and passed verbatim (NA -> null); a matrix becomes a list of its rows.
num <- function(x) structure(ifelse(is.na(x), "null", sprintf("%.17g", x)), class = "json")
exact <- function(v) {
  if (is.list(v)) {
    nm <- names(v); v <- lapply(v, exact); names(v) <- nm; v
  } else if (is.matrix(v)) {
    lapply(seq_len(nrow(v)), function(i) lapply(unname(v[i, ]), function(x) num(as.double(x))))
  } else if (is.double(v) && length(v) == 1) {
    num(v)
  } else if (is.double(v)) {
    lapply(unname(v), num)
  } else if (length(v) == 1 && is.na(v)) {
    NULL
  } else {
    unname(v)
  }
}
writeLines(toJSON(exact(out), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE, na = "null", null = "null"),
           "reference.json")
cat(sprintf("hedges: g=%.10f [%.10f, %.10f]; effectsize [%.10f, %.10f]\n", out$hedges$g, out$hedges$conf_low,
            out$hedges$conf_high, out$hedges$effectsize$conf_low, out$hedges$effectsize$conf_high))
for (c in out$newcombe) cat(sprintf("%d/%d vs %d/%d: %.4f to %.4f (score p %.4f)\n", c$k1, c$n1, c$k0, c$n0,
                                    c$conf_low, c$conf_high, ifelse(is.na(c$score_p), NA, c$score_p)))
cat(sprintf("2x2: fisher %.6f exact X2 %.6f R MC %.6f; 4x2 MC %.6f; paired leave p %.6g, dissatisfied p %.6g\n",
            out$small_2x2$fisher_p, out$small_2x2$exact_x2_p, out$small_2x2$r_mc_p, out$small_4x2$r_mc_p,
            out$waves_paired$measures$leave$p, out$waves_paired$measures$dissatisfied$p))
