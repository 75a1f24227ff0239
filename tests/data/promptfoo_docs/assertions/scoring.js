// A custom scoring function (promptfoo docs, configuration/expected-outputs: assertScoringFunction).
module.exports.weightedScore = (namedScores, context) => {
  const score = 0.75 * (namedScores.accuracy ?? 0) + 0.25 * (namedScores.style ?? 0);
  return { pass: score >= 0.7, score, reason: `weighted ${score} of ${context.componentResults.length}` };
};
