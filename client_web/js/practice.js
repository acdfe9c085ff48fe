// Solo practice from the join screen: pick a scenario and a bot's style, and a game
// against that bot starts at once, with no facilitator (POST /api/practice).

import { $, h, replace } from "./dom.js";
import { call } from "./api.js";

export async function setupPractice(onStarted, onError) {
  let library;
  try {
    library = await call("GET", "/api/scenarios");
  } catch {
    return; // without the library there is nothing to offer; joining still works
  }
  const scenarios = $("#practice-scenario");
  replace(scenarios, ...library.scenarios.map((s) => h("option", { value: s.id }, s.title)));
  replace($("#practice-strategy"), ...library.strategies.map((name) => h("option", { value: name }, name)));
  const about = () => {
    const chosen = library.scenarios.find((s) => s.id === scenarios.value);
    $("#practice-about").textContent = chosen ? chosen.description.split("\n\n")[0] : "";
  };
  scenarios.addEventListener("change", about);
  about();

  $("#practice-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("#practice-name").value.trim();
    if (!name) {
      onError("Please type your name.");
      return;
    }
    try {
      const answer = await call("POST", "/api/practice", {
        body: { name, scenario: scenarios.value, strategy: $("#practice-strategy").value },
      });
      onStarted({ code: answer.code, name, player: answer.player, token: answer.token, practice: true });
    } catch (err) {
      onError(err.message);
    }
  });
}
