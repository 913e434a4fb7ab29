# R survey 4.1 on Minyi's CSV export of the demo city (probability sample, raking run):
# every indicator overall and by district with the logit interval at 95 %.
#   Rscript tests/reference/analysis_demo.R export.csv > tests/reference/analysis_demo.json
# where export.csv comes from `minyi demo load && minyi weights run && minyi estimate &&
# minyi export --format csv --output export.csv` (what tests/app/test_exports_r.py does).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], fileEncoding = "UTF-8-BOM")
d <- subset(d, sample == 1)
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
rows <- list()
for (name in grep("^i_", names(d), value = TRUE)) {
  f <- as.formula(paste0("~", name))
  inside <- subset(des, !is.na(d[[name]]))
  ci <- svyciprop(f, inside, method = "logit", level = 0.95)
  rows[[length(rows) + 1]] <- list(
    variable = name, district = 0, estimate = as.numeric(coef(ci)),
    se = as.numeric(SE(ci)), ci_low = as.numeric(confint(ci)[1]),
    ci_high = as.numeric(confint(ci)[2]))
  by <- svyby(f, ~district, inside, svyciprop, vartype = c("se", "ci"), method = "logit",
              level = 0.95)
  for (k in seq_len(nrow(by))) {
    rows[[length(rows) + 1]] <- list(
      variable = name, district = by$district[k], estimate = by[k, 2], se = by[k, 3],
      ci_low = by$ci_l[k], ci_high = by$ci_u[k])
  }
}
cat(jsonlite::toJSON(rows, auto_unbox = TRUE, digits = NA, pretty = TRUE), "\n")
