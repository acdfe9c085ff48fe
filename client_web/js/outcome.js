// The outcome space of a scenario computed in the browser, for the replay viewer given
// a log file with no server behind it. Same method as game_rules/analysis.py: points
// add up over issues, so the Pareto frontier is built one issue at a time, keeping
// only the pairs no other pair beats for both sides.

function prune(pairs) {
  pairs.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  const kept = [];
  for (const pair of pairs) if (!kept.length || pair[1] > kept[kept.length - 1][1]) kept.push(pair);
  return kept;
}

export function frontierOf(issues, first, second) {
  let pareto = [[0, 0]];
  for (const issue of issues) {
    const a = first.points[issue.id], b = second.points[issue.id];
    const options = prune(a.map((x, i) => [x, b[i]]));
    const sums = [];
    for (const [x, y] of pareto) for (const [dx, dy] of options) sums.push([x + dx, y + dy]);
    pareto = prune(sums);
  }
  return pareto.reverse();
}

export function maxJoint(frontier) {
  return Math.max(...frontier.map(([x, y]) => x + y));
}
