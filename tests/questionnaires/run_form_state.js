/*
 * Read {"definition": questionnaire JSON, "answer_sets": [answers, ...]} on stdin and print a
 * JSON array with MinyiExpressions.formState(definition, answers, {today}) for each answer set.
 * Run by test_form_state.py to compare the browser's skip logic with the server's.
 */
"use strict";
var path = require("path");
var fs = require("fs");
var expressions = require(path.join(__dirname, "..", "..", "questionnaires", "js",
  "expressions.js"));
var input = JSON.parse(fs.readFileSync(0, "utf8"));
var states = input.answer_sets.map(function (answers) {
  return expressions.formState(input.definition, answers, {today: input.today});
});
process.stdout.write(JSON.stringify(states));
