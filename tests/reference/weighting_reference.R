# Reference values from R survey 4.1 for tests/sampling_weighting/.
#
#   Rscript tests/reference/weighting_reference.R tests/reference/weighting_reference.json
#
# Each case records the R call ("r") and R's numbers. Weights are recorded per row in data order
# (the Python tests read the same rows from tests/data/api/*.csv); Kalton's example is rebuilt
# from its cell counts (kalton.R in R survey's tests).
library(survey)
library(jsonlite)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[[1]] else "weighting_reference.json"
data(api)
data(scd)
tight <- list(maxit = 200, epsilon = 1e-12)
result <- list()
case <- function(name, r, ...) result[[name]] <<- c(list(r = r), list(...))
se <- function(x) as.vector(SE(x))
est <- function(x) as.vector(coef(x))

# Kalton & Flores-Cervantes (2003): R survey's tests/kalton.R.
ab <- expand.grid(a = factor(1:4), b = factor(1:3))
kaltonsample <- ab[rep(1:12, c(20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70)), ]
kaltonpop <- ab[rep(1:12, c(80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125)), ]
jointpop <- colSums(model.matrix(~a * b, kaltonpop))
marginalpop <- colSums(model.matrix(~a + b, kaltonpop))
gregpop <- colSums(model.matrix(~as.numeric(a) + as.numeric(b), kaltonpop))
dkalton <- svydesign(id = ~1, data = kaltonsample)
cellg <- function(d) unname(as.vector(svytable(~a + b, d) / xtabs(~a + b, kaltonsample)))
kalton <- list(
  poststratify = list(r = "postStratify(dkalton, ~a+b, xtabs(~a+b, kaltonpop))",
                      d = postStratify(dkalton, ~a + b, xtabs(~a + b, kaltonpop))),
  rake = list(r = "rake(dkalton, list(~a, ~b), list(xtabs(~a, kaltonpop), xtabs(~b, kaltonpop)), control=list(maxit=200, epsilon=1e-12))",
              d = rake(dkalton, list(~a, ~b), list(xtabs(~a, kaltonpop), xtabs(~b, kaltonpop)),
                       control = tight)),
  calibrate_joint = list(r = "calibrate(dkalton, ~a*b, jointpop)",
                         d = calibrate(dkalton, ~a * b, jointpop)),
  calibrate_raking = list(r = "calibrate(dkalton, ~a+b, marginalpop, calfun='raking')",
                          d = calibrate(dkalton, ~a + b, marginalpop, calfun = "raking")),
  calibrate_linear = list(r = "calibrate(dkalton, ~a+b, marginalpop)",
                          d = calibrate(dkalton, ~a + b, marginalpop)),
  calibrate_truncated = list(r = "calibrate(dkalton, ~a+b, marginalpop, bounds=c(0.5, 2.2))",
                             d = calibrate(dkalton, ~a + b, marginalpop, bounds = c(0.5, 2.2))),
  calibrate_logit = list(r = "calibrate(dkalton, ~a+b, marginalpop, bounds=c(0.5, 2.2), calfun='logit')",
                         d = calibrate(dkalton, ~a + b, marginalpop, bounds = c(0.5, 2.2),
                                       calfun = "logit")),
  calibrate_greg = list(r = "calibrate(dkalton, ~as.numeric(a)+as.numeric(b), gregpop)",
                        d = calibrate(dkalton, ~as.numeric(a) + as.numeric(b), gregpop))
)
result$kalton <- list(
  sample_counts = c(20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70),
  population_counts = c(80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125),
  cases = lapply(kalton, function(k) list(r = k$r, cell_g = cellg(k$d)))
)

# api: designs as in R's manual pages.
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dsrs <- svydesign(id = ~1, weights = ~pw, data = apisrs)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)
pop.totals99 <- c(pop.totals, api99 = 3914069)

weights_case <- function(name, r, d, extra = list()) {
  result[[name]] <<- c(list(r = r, weights = unname(weights(d))), extra)
}
one_stage <- function(d) list(mean_api00 = est(svymean(~api00, d)), se_mean_api00 = se(svymean(~api00, d)),
                               total_enroll = est(svytotal(~enroll, d)), se_total_enroll = se(svytotal(~enroll, d)))

weights_case("strat_poststratify", "postStratify(dstrat, ~stype, pop.types)",
             postStratify(dstrat, ~stype, pop.types))
weights_case("clus1_rake", "rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=200, epsilon=1e-12))",
             rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight))
weights_case("clus1_linear", "calibrate(dclus1, ~stype+api99, pop.totals99)",
             calibrate(dclus1, ~stype + api99, pop.totals99))
weights_case("clus1_linear_bounded", "calibrate(dclus1, ~stype+api99, pop.totals99, bounds=c(0.7, 1.7))",
             calibrate(dclus1, ~stype + api99, pop.totals99, bounds = c(0.7, 1.7)))
weights_case("clus1_raking", "calibrate(dclus1, ~stype+api99, pop.totals99, calfun='raking')",
             calibrate(dclus1, ~stype + api99, pop.totals99, calfun = "raking"))
weights_case("clus1_raking_bounded", "calibrate(dclus1, ~stype+api99, pop.totals99, calfun='raking', bounds=c(0.7, 1.7))",
             calibrate(dclus1, ~stype + api99, pop.totals99, calfun = "raking", bounds = c(0.7, 1.7)))
weights_case("clus1_logit", "calibrate(dclus1, ~stype+api99, pop.totals99, calfun='logit', bounds=c(0.7, 1.7))",
             calibrate(dclus1, ~stype + api99, pop.totals99, calfun = "logit", bounds = c(0.7, 1.7)))
dclus1g <- calibrate(dclus1, ~stype, pop.totals)
weights_case("clus1_trim", "trimWeights(calibrate(dclus1, ~stype, pop.totals), lower=29, upper=40)",
             trimWeights(dclus1g, lower = 29, upper = 40))
weights_case("clus1_trim_strict", "trimWeights(calibrate(dclus1, ~stype, pop.totals), lower=29, upper=37, strict=TRUE)",
             trimWeights(dclus1g, lower = 29, upper = 37, strict = TRUE))
weights_case("srs_unweighted_raking", "calibrate(svydesign(id=~1, data=apisrs), ~stype+api99, pop.totals99, calfun='raking', bounds=c(0.5, 2))  # weights 1: R rescales by mean(t/sum)",
             calibrate(svydesign(id = ~1, data = apisrs), ~stype + api99, pop.totals99,
                       calfun = "raking", bounds = c(0.5, 2)))

# Non-response within weighting classes: respondents are the schools with snum %% 3 != 0.
responded <- apiclus1$snum %% 3 != 0
class_totals <- aggregate(pw ~ stype, data = apiclus1, FUN = sum)
names(class_totals)[2] <- "Freq"
weights_case("clus1_nonresponse", "postStratify(subset(dclus1, snum %% 3 != 0), ~stype, aggregate(pw ~ stype, apiclus1, sum))  # Freq = class weight of the whole sample",
             postStratify(subset(dclus1, responded), ~stype, class_totals))

# SEs of one-stage with-replacement designs after calibration (phase-1 check of the residuals).
srs_cases <- list(
  poststratify = list(r = "postStratify(dsrs, ~stype, pop.types)", d = postStratify(dsrs, ~stype, pop.types)),
  rake = list(r = "rake(dsrs, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=200, epsilon=1e-12))",
              d = rake(dsrs, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)),
  linear = list(r = "calibrate(dsrs, ~stype+api99, pop.totals99)", d = calibrate(dsrs, ~stype + api99, pop.totals99)),
  raking = list(r = "calibrate(dsrs, ~stype+api99, pop.totals99, calfun='raking')",
                d = calibrate(dsrs, ~stype + api99, pop.totals99, calfun = "raking")),
  logit = list(r = "calibrate(dsrs, ~stype+api99, pop.totals99, calfun='logit', bounds=c(0.7, 1.7))",
               d = calibrate(dsrs, ~stype + api99, pop.totals99, calfun = "logit", bounds = c(0.7, 1.7)))
)
result$srs_se <- lapply(srs_cases, function(k) c(list(r = k$r, weights = unname(weights(k$d))), one_stage(k$d)))

# SEs of cluster designs after calibration (Taylor linearisation with the calibration residuals).
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
clus_one <- function(d) c(one_stage(d), list(
  by_schwide = as.vector(coef(svyby(~api00, ~sch.wide, d, svymean))),
  se_by_schwide = as.vector(SE(svyby(~api00, ~sch.wide, d, svymean)))))
clus_cases <- list(
  poststratify = list(r = "postStratify(dclus1, ~stype, pop.types)", d = postStratify(dclus1, ~stype, pop.types)),
  rake = list(r = "rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=200, epsilon=1e-12))",
              d = rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)),
  linear = list(r = "calibrate(dclus1, ~stype+api99, pop.totals99)", d = calibrate(dclus1, ~stype + api99, pop.totals99)),
  raking = list(r = "calibrate(dclus1, ~stype+api99, pop.totals99, calfun='raking')",
                d = calibrate(dclus1, ~stype + api99, pop.totals99, calfun = "raking")),
  logit = list(r = "calibrate(dclus1, ~stype+api99, pop.totals99, calfun='logit', bounds=c(0.7, 1.7))",
               d = calibrate(dclus1, ~stype + api99, pop.totals99, calfun = "logit", bounds = c(0.7, 1.7))),
  trimmed = list(r = "trimWeights(calibrate(dclus1, ~stype, pop.totals), lower=29, upper=40)",
                 d = trimWeights(dclus1g, lower = 29, upper = 40)),
  twostage = list(r = "calibrate(svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2), ~stype+api99, pop.totals99)",
                  d = calibrate(dclus2, ~stype + api99, pop.totals99))
)
result$clus_se <- lapply(clus_cases[names(clus_cases) != "twostage"], function(k) c(list(r = k$r), clus_one(k$d)))
result$clus_se$twostage <- list(r = clus_cases$twostage$r, mean_api00 = est(svymean(~api00, clus_cases$twostage$d)),
                                se_mean_api00 = se(svymean(~api00, clus_cases$twostage$d)))

# Replicate designs.
rep_case <- function(r, d, extra = list()) c(list(r = r, degf = degf(d), scale = d$scale,
  rscales = unname(d$rscales), n_replicates = ncol(d$repweights$weights %||% d$repweights)),
  one_stage(d), list(by_schwide = as.vector(coef(svyby(~api00, ~sch.wide, d, svymean))),
                     se_by_schwide = as.vector(SE(svyby(~api00, ~sch.wide, d, svymean)))), extra)
`%||%` <- function(a, b) if (is.null(a)) b else a
rclus1 <- as.svrepdesign(dclus1)
rstrat <- as.svrepdesign(dstrat, type = "JKn")
rstrat_nofpc <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat), type = "JKn")
result$replicates <- list(
  jk1 = rep_case("as.svrepdesign(dclus1)  # JK1, fpc from dclus1", rclus1),
  jkn = rep_case("as.svrepdesign(dstrat, type='JKn')  # fpc from dstrat", rstrat),
  jkn_nofpc = rep_case("as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat), type='JKn')", rstrat_nofpc),
  jk1_poststratify = rep_case("postStratify(as.svrepdesign(dclus1), ~stype, pop.types)",
                              postStratify(rclus1, ~stype, pop.types)),
  jk1_rake = rep_case("rake(as.svrepdesign(dclus1), list(~stype, ~sch.wide), list(pop.types, pop.schwide), control=list(maxit=200, epsilon=1e-12))",
                      rake(rclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)),
  jk1_linear = rep_case("calibrate(as.svrepdesign(dclus1), ~stype+api99, pop.totals99)",
                        calibrate(rclus1, ~stype + api99, pop.totals99)),
  jk1_logit = rep_case("calibrate(as.svrepdesign(dclus1), ~stype+api99, pop.totals99, calfun='logit', bounds=c(0.4, 2.5))",
                       calibrate(rclus1, ~stype + api99, pop.totals99, calfun = "logit", bounds = c(0.4, 2.5))),
  jkn_raking = rep_case("calibrate(as.svrepdesign(dstrat, type='JKn'), ~sch.wide+api99, c(`(Intercept)`=6194, sch.wideYes=5122, api99=3914069), calfun='raking')",
                        calibrate(rstrat, ~sch.wide + api99, c(`(Intercept)` = 6194, sch.wideYes = 5122, api99 = 3914069),
                                  calfun = "raking"))
)

# JKn with a lonely stratum (the first school of apistrat alone in stratum "X").
apistrat_lonely <- apistrat
apistrat_lonely$st2 <- ifelse(seq_len(nrow(apistrat)) == 1, "X", as.character(apistrat$stype))
result$jkn_lonely <- lapply(c("remove", "certainty", "adjust", "average"), function(option) {
  options(survey.lonely.psu = option)
  r <- as.svrepdesign(svydesign(id = ~1, strata = ~st2, weights = ~pw, data = apistrat_lonely), type = "JKn")
  m <- svymean(~api00, r)
  options(survey.lonely.psu = "fail")
  list(r = paste0("options(survey.lonely.psu='", option, "'); as.svrepdesign(svydesign(id=~1, strata=~st2, weights=~pw, data=apistrat_lonely), type='JKn')"),
       option = option, degf = degf(r), scale = r$scale, rscales = unname(r$rscales),
       mean_api00 = est(m), se_mean_api00 = se(m))
})

scdnofpc <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
scd_case <- function(r, d) list(r = r, degf = degf(d), scale = d$scale, n_replicates = ncol(d$repweights$weights),
  factors = unname(d$repweights$weights), index = d$repweights$index,
  mean_alive = est(svymean(~alive, d)), se_mean_alive = se(svymean(~alive, d)),
  ratio = est(svyratio(~alive, ~arrests, d)), se_ratio = unname(sqrt(diag(vcov(svyratio(~alive, ~arrests, d))))))
result$scd <- list(
  brr = scd_case("as.svrepdesign(svydesign(data=scd, prob=~1, id=~ambulance, strata=~ESA, nest=TRUE), type='BRR')",
                 as.svrepdesign(scdnofpc, type = "BRR")),
  fay = scd_case("as.svrepdesign(svydesign(data=scd, prob=~1, id=~ambulance, strata=~ESA, nest=TRUE), type='Fay', fay.rho=0.3)",
                 as.svrepdesign(scdnofpc, type = "Fay", fay.rho = 0.3)),
  jkn = scd_case("as.svrepdesign(svydesign(data=scd, prob=~1, id=~ambulance, strata=~ESA, nest=TRUE), type='JKn')",
                 as.svrepdesign(scdnofpc, type = "JKn"))
)
# BRR on 40 strata of two PSUs from apipop (a Paley matrix of order 44) and the bootstrap scale.
pairs <- apipop[order(apipop$cds), ][1:80, ]
pairs$pair <- rep(1:40, each = 2)
pairs$unit <- seq_len(80)
pairs$w <- 100
dpairs <- svydesign(id = ~unit, strata = ~pair, weights = ~w, data = pairs)
rpairs <- as.svrepdesign(dpairs, type = "BRR")
result$brr40 <- list(r = "as.svrepdesign(svydesign(id=~unit, strata=~pair, weights=~w, data=pairs), type='BRR')  # pairs: first 80 apipop rows by cds",
  cds = pairs$cds, degf = degf(rpairs), n_replicates = ncol(rpairs$repweights$weights),
  mean_api00 = est(svymean(~api00, rpairs)), se_mean_api00 = se(svymean(~api00, rpairs)))
set.seed(1)
rboot <- as.svrepdesign(dstrat, type = "bootstrap", replicates = 60)
result$bootstrap <- list(r = "as.svrepdesign(dstrat, type='bootstrap', replicates=60)", scale = rboot$scale)
result$hadamard <- lapply(c(1, 3, 5, 8, 12, 13, 20, 40, 45, 60, 63, 100), function(n)
  list(n = n, matrix = unname(survey:::hadamard(n))))

writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", matrix = "rowmajor"), out)
