# Reference values from R survey 4.1 for tests/sampling/test_reference_r.py.
#
#   Rscript tests/reference/api_reference.R tests/reference/api_reference.json
#
# Every case records the R call that produced it ("r"), the design it ran on, and the numbers.
# The designs use R's api data (data(api)) plus a few derived columns that the Python tests
# rebuild the same way (see DERIVED below and derived_columns() in the test module).
library(survey)
library(jsonlite)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[[1]] else "api_reference.json"
data(api)
level <- 0.95

# DERIVED columns: yes = sch.wide == "Yes" as 0/1; f1, f2 = apiclus2's fpc as sampling fractions;
# prob = 1/pw (apiclus1); fpc1_stype = invented numbers of districts per school type (apiclus2);
# fpc_lonely = 1 for district 413 (a certainty stratum), 1000 elsewhere; fpc2_lonely = apiclus2's
# fpc2 with districts of one school set to 4 schools (so they become lonely stage-2 units).
for (name in c("apisrs", "apistrat", "apiclus1", "apiclus2")) {
  df <- get(name)
  df$yes <- as.numeric(df$sch.wide == "Yes")
  assign(name, df)
}
apiclus2$f1 <- 40 / apiclus2$fpc1
apiclus2$f2 <- ave(apiclus2$snum, apiclus2$dnum, FUN = length) / apiclus2$fpc2
apiclus1$fpc_lonely <- ifelse(apiclus1$dnum == 413, 1, 1000)
apiclus1$prob <- 1 / apiclus1$pw

# A three-stage sample from apipop (counties, districts, schools), written next to this script
# as threestage.csv so that the Python tests read the same rows: 12 of the counties, up to 3
# districts in each, up to 4 schools in each district; N1, N2, N3 are the population counts and
# w = N1/n1 · N2/n2 · N3/n3 the weight.
set.seed(20261122)
pick <- function(x, k) x[sample.int(length(x), min(k, length(x)))]
counties <- sort(unique(apipop$cnum))
parts <- list()
for (county in pick(counties, 12)) {
  in_county <- apipop[apipop$cnum == county, ]
  districts <- sort(unique(in_county$dnum))
  for (district in pick(districts, 3)) {
    in_district <- in_county[in_county$dnum == district, ]
    chosen <- in_district[pick(seq_len(nrow(in_district)), 4), ]
    chosen$N1 <- length(counties)
    chosen$N2 <- length(districts)
    chosen$N3 <- nrow(in_district)
    parts[[length(parts) + 1]] <- chosen
  }
}
threestage <- do.call(rbind, parts)[, c("cnum", "dnum", "snum", "stype", "sch.wide", "api00",
                                        "api99", "enroll", "N1", "N2", "N3")]
threestage$yes <- as.numeric(threestage$sch.wide == "Yes")
threestage$w <- threestage$N1 / 12 * threestage$N2 / ave(threestage$dnum, threestage$cnum,
  FUN = function(x) length(unique(x))) * threestage$N3 / ave(threestage$snum,
  threestage$dnum, FUN = length)
write.csv(threestage, file.path(dirname(out), "threestage.csv"), row.names = FALSE)
apiclus2$fpc1_stype <- c(E = 400, H = 150, M = 250)[as.character(apiclus2$stype)]
apiclus2$fpc2_lonely <- ifelse(apiclus2$fpc2 == 1, 4, apiclus2$fpc2)

designs <- list(
  srs = list(data = "apisrs", lonely = "fail", python = list(fpc = "fpc"),
             r = "svydesign(id=~1, fpc=~fpc, data=apisrs)"),
  srs_wr = list(data = "apisrs", lonely = "fail", python = list(weights = "pw"),
                r = "svydesign(id=~1, weights=~pw, data=apisrs)"),
  strat = list(data = "apistrat", lonely = "fail",
               python = list(strata = "stype", weights = "pw", fpc = "fpc"),
               r = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)"),
  strat_wr = list(data = "apistrat", lonely = "fail", python = list(strata = "stype", weights = "pw"),
                  r = "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat)"),
  strat_clus = list(data = "apistrat", lonely = "fail",
                    python = list(ids = "dnum", strata = "stype", weights = "pw", nest = TRUE),
                    r = "svydesign(id=~dnum, strata=~stype, weights=~pw, data=apistrat, nest=TRUE)"),
  clus1 = list(data = "apiclus1", lonely = "fail", python = list(ids = "dnum", weights = "pw", fpc = "fpc"),
               r = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)"),
  clus1_wr = list(data = "apiclus1", lonely = "fail", python = list(ids = "dnum", weights = "pw"),
                  r = "svydesign(id=~dnum, weights=~pw, data=apiclus1)"),
  clus2 = list(data = "apiclus2", lonely = "fail",
               python = list(ids = c("dnum", "snum"), fpc = c("fpc1", "fpc2")),
               r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)"),
  clus2_fraction = list(data = "apiclus2", lonely = "fail",
                        python = list(ids = c("dnum", "snum"), fpc = c("f1", "f2")),
                        r = "svydesign(id=~dnum+snum, fpc=~f1+f2, data=apiclus2)"),
  clus2_wr = list(data = "apiclus2", lonely = "fail", python = list(ids = c("dnum", "snum"), weights = "pw"),
                  r = "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)"),
  clus1_probs = list(data = "apiclus1", lonely = "fail", python = list(ids = "dnum", probs = "prob", fpc = "fpc"),
                     r = "svydesign(id=~dnum, probs=~prob, fpc=~fpc, data=apiclus1)"),
  three = list(data = "threestage", lonely = "fail",
               python = list(ids = c("cnum", "dnum", "snum"), fpc = c("N1", "N2", "N3")),
               r = "svydesign(id=~cnum+dnum+snum, fpc=~N1+N2+N3, data=threestage)"),
  three_wr = list(data = "threestage", lonely = "fail",
                  python = list(ids = c("cnum", "dnum", "snum"), strata = "stype", nest = TRUE,
                                weights = "w"),
                  r = "svydesign(id=~cnum+dnum+snum, strata=~stype, nest=TRUE, weights=~w, data=threestage)"),
  strat_clus2 = list(data = "apiclus2", lonely = "adjust",
                     python = list(ids = c("dnum", "snum"), strata = "stype",
                                   fpc = c("fpc1_stype", "fpc2"), nest = TRUE, lonely_psu = "adjust"),
                     r = "svydesign(id=~dnum+snum, strata=~stype, fpc=~fpc1_stype+fpc2, nest=TRUE, data=apiclus2)")
)
for (option in c("remove", "certainty", "adjust", "average")) {
  designs[[paste0("lonely_", option)]] <- list(
    data = "apiclus1", lonely = option,
    python = list(strata = "dnum", weights = "pw", lonely_psu = option),
    r = "svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1)")
}
for (option in c("fail", "remove", "certainty", "adjust", "average")) {
  designs[[paste0("lonely_fpc_", option)]] <- list(
    data = "apiclus1", lonely = option,
    python = list(strata = "dnum", weights = "pw", fpc = "fpc_lonely", lonely_psu = option),
    r = "svydesign(id=~1, weights=~pw, strata=~dnum, fpc=~fpc_lonely, data=apiclus1)")
}
for (option in c("remove", "certainty", "adjust")) {
  designs[[paste0("lonely_stage2_", option)]] <- list(
    data = "apiclus2", lonely = option,
    python = list(ids = c("dnum", "snum"), fpc = c("fpc1", "fpc2_lonely"), lonely_psu = option),
    r = "svydesign(id=~dnum+snum, fpc=~fpc1+fpc2_lonely, data=apiclus2)")
}

make <- function(spec) {
  options(survey.lonely.psu = spec$lonely)
  eval(parse(text = spec$r))
}

num <- function(x) unname(as.numeric(x))
tq <- function(df) qt(1 - (1 - level) / 2, df)
cases <- list()
add <- function(design, r, kind, variable, values, by = NULL, subset = NULL, method = NULL,
                na_rm = FALSE, denominator = NULL) {
  cases[[length(cases) + 1]] <<- list(
    design = design, r = r, kind = kind, variable = variable, by = by, subset = subset,
    method = method, na_rm = na_rm, denominator = denominator, level = level, expected = values)
}

linear <- function(stat, d) {
  est <- num(coef(stat)); se <- num(SE(stat)); df <- degf(d)
  list(estimate = est, se = se, deff = num(deff(stat)), df = df,
       ci_low = est - tq(df) * se, ci_high = est + tq(df) * se)
}
ciprop <- function(stat, d) {
  ci <- num(attr(stat, "ci"))
  list(estimate = num(coef(stat)), se = num(sqrt(attr(stat, "var"))), df = degf(d),
       ci_low = ci[1], ci_high = ci[2])
}
by_levels <- function(d, by) {
  keys <- sort(unique(as.character(d$variables[[by]])))
  dfs <- sapply(keys, function(k) degf(subset(d, d$variables[[by]] == k)))
  list(keys = keys, df = num(dfs))
}

methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")
for (name in names(designs)) {
  spec <- designs[[name]]
  if (spec$lonely == "fail" && grepl("^lonely", name) && !grepl("fpc", name)) next
  d <- make(spec)
  add(name, "svymean(~api00, d, deff=TRUE); confint(., df=degf(d))", "mean", "api00",
      linear(svymean(~api00, d, deff = TRUE), d))
  add(name, "svytotal(~enroll, d, na.rm=TRUE, deff=TRUE); confint(., df=degf(d))", "total", "enroll",
      linear(svytotal(~enroll, d, na.rm = TRUE, deff = TRUE), d), na_rm = TRUE)
  r <- svyratio(~api00, ~api99, d, deff = TRUE)
  est <- num(coef(r)); se <- num(SE(r))
  add(name, "svyratio(~api00, ~api99, d, deff=TRUE)", "ratio", "api00",
      list(estimate = est, se = se, deff = num(deff(r)), df = degf(d),
           ci_low = est - tq(degf(d)) * se, ci_high = est + tq(degf(d)) * se),
      denominator = "api99")
  add(name, "svymean(~yes, d, deff=TRUE)", "proportion_deff", "yes",
      list(estimate = num(coef(svymean(~yes, d, deff = TRUE))),
           deff = num(deff(svymean(~yes, d, deff = TRUE)))))
  for (m in methods) {
    add(name, sprintf('svyciprop(~yes, d, method="%s")', m), "proportion", "yes",
        ciprop(svyciprop(~yes, d, method = m), d), method = m)
  }
  lv <- by_levels(d, "stype")
  # R 4.1 cannot run svyby on a domain of a design with lonely stage-2 units under "adjust".
  if (name == "lonely_stage2_adjust") next
  b <- svyby(~api00, ~stype, d, svymean, deff = TRUE)
  est <- num(coef(b)); se <- num(SE(b))
  add(name, "svyby(~api00, ~stype, d, svymean, deff=TRUE); df = degf(subset(d, stype == k))",
      "mean", "api00", list(keys = lv$keys, estimate = est, se = se, deff = num(deff(b)), df = lv$df,
                            ci_low = est - tq(lv$df) * se, ci_high = est + tq(lv$df) * se),
      by = list("stype"))
  for (m in methods) {
    b <- svyby(~yes, ~stype, d, svyciprop, method = m, vartype = c("se", "ci"))
    add(name, sprintf('svyby(~yes, ~stype, d, svyciprop, method="%s", vartype=c("se","ci"))', m),
        "proportion", "yes",
        list(keys = lv$keys, estimate = num(coef(b)), se = num(SE(b)), df = lv$df,
             ci_low = num(b$ci_l), ci_high = num(b$ci_u)),
        by = list("stype"), method = m)
  }
  s <- subset(d, stype == "H")
  add(name, 'svymean(~api00, subset(d, stype == "H"), deff=TRUE)', "mean", "api00",
      linear(svymean(~api00, s, deff = TRUE), s), subset = list("stype", "H"))
  add(name, 'svyciprop(~yes, subset(d, stype == "H"), method="beta")', "proportion", "yes",
      ciprop(svyciprop(~yes, s, method = "beta"), s), subset = list("stype", "H"), method = "beta")
}

# Two by-columns, and missing values dropped inside domains.
d <- make(designs$clus1)
b <- svyby(~api00, ~stype + both, d, svymean, deff = TRUE)
keys <- lapply(seq_len(nrow(b)), function(i) list(as.character(b$stype[i]), as.character(b$both[i])))
dfs <- sapply(seq_len(nrow(b)), function(i) degf(subset(d, stype == b$stype[i] & both == b$both[i])))
add("clus1", "svyby(~api00, ~stype+both, d, svymean, deff=TRUE)", "mean", "api00",
    list(keys = keys, estimate = num(coef(b)), se = num(SE(b)), deff = num(deff(b)), df = num(dfs)),
    by = list("stype", "both"))
# (R 4.1 fails on na.rm inside domains of the two-stage design, so these use clus1 and strat.)
d <- make(designs$clus1)
b <- svyby(~target, ~stype, d, svymean, na.rm = TRUE, deff = TRUE)
add("clus1", "svyby(~target, ~stype, d, svymean, na.rm=TRUE, deff=TRUE)", "mean", "target",
    list(keys = as.character(b$stype), estimate = num(coef(b)), se = num(SE(b)), deff = num(deff(b))),
    by = list("stype"), na_rm = TRUE)
d <- make(designs$strat)
b <- svyby(~acs.46, ~stype, d, svytotal, na.rm = TRUE, deff = TRUE)
add("strat", "svyby(~acs.46, ~stype, d, svytotal, na.rm=TRUE, deff=TRUE)", "total", "acs.46",
    list(keys = as.character(b$stype), estimate = num(coef(b)), se = num(SE(b)), deff = num(deff(b))),
    by = list("stype"), na_rm = TRUE)
d <- make(designs$clus2)
b <- svyby(~api00, ~stype, d, svyratio, denominator = ~api99, deff = TRUE)
add("clus2", "svyby(~api00, ~stype, d, svyratio, denominator=~api99, deff=TRUE)", "ratio", "api00",
    list(keys = as.character(b$stype), estimate = num(coef(b)), se = num(SE(b))),
    by = list("stype"), denominator = "api99")

# Other confidence levels: every svyciprop method at 0.90 and 0.99, overall and by domain.
for (name in c("strat", "clus1", "clus2")) {
  d <- make(designs[[name]])
  lv <- by_levels(d, "stype")
  for (level in c(0.90, 0.99)) {
    add(name, sprintf("svymean(~api00, d); confint(., level=%.2f, df=degf(d))", level), "mean",
        "api00", linear(svymean(~api00, d, deff = TRUE), d))
    for (m in methods) {
      add(name, sprintf('svyciprop(~yes, d, method="%s", level=%.2f)', m, level), "proportion",
          "yes", ciprop(svyciprop(~yes, d, method = m, level = level), d), method = m)
      b <- svyby(~yes, ~stype, d, svyciprop, method = m, level = level, vartype = c("se", "ci"))
      add(name, sprintf('svyby(~yes, ~stype, d, svyciprop, method="%s", level=%.2f, vartype="ci")',
                        m, level), "proportion", "yes",
          list(keys = lv$keys, estimate = num(coef(b)), se = num(SE(b)), df = lv$df,
               ci_low = num(b$ci_l), ci_high = num(b$ci_u)),
          by = list("stype"), method = m)
    }
  }
}
level <- 0.95

# Covariance of two means (svyrecvar on a two-column score matrix).
d <- make(designs$clus2)
covariance <- vcov(svymean(~api00 + api99, d))
options(survey.lonely.psu = "fail")

result <- list(
  generator = "tests/reference/api_reference.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  designs = lapply(designs, function(s) list(data = s$data, r = s$r, python = s$python)),
  cases = cases,
  covariance = list(design = "clus2", r = "vcov(svymean(~api00+api99, d))",
                    value = unname(covariance))
)
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE), out)
