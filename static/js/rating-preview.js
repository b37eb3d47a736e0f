/* Shows the rating a sub-risk's likelihood and impact give, as the editor picks them.
 *
 * Progressive enhancement: without JavaScript the "Preview rating" button asks the
 * server to render the same rating. Either way the rating comes from the server,
 * which looks it up in the register's matrix; nothing is computed here.
 *
 * Markup: an element with data-rating-preview="<endpoint URL>" holding two selects
 * marked data-rating="likelihood" and data-rating="impact", and an element marked
 * data-rating-output where the rating badge goes.
 */
(function () {
  "use strict";

  var sequence = 0;

  function message(output, text) {
    var badge = document.createElement("span");
    badge.className = "badge badge--none";
    badge.textContent = text;
    output.replaceChildren(badge);
  }

  function show(output, rating) {
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = rating.name;
    badge.style.backgroundColor = rating.colour;
    badge.style.color = rating.text_colour;
    output.replaceChildren(badge);
  }

  function update(scope) {
    var likelihood = scope.querySelector('[data-rating="likelihood"]');
    var impact = scope.querySelector('[data-rating="impact"]');
    var output = scope.querySelector("[data-rating-output]");
    if (!likelihood || !impact || !output) {
      return;
    }
    if (!likelihood.value || !impact.value) {
      message(output, "Not rated yet");
      return;
    }
    var url = new URL(scope.getAttribute("data-rating-preview"), window.location.href);
    url.searchParams.set("likelihood", likelihood.value);
    url.searchParams.set("impact", impact.value);
    var request = String(++sequence);
    output.setAttribute("data-rating-request", request);
    output.setAttribute("aria-busy", "true");

    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        // A later choice may have answered first; only the latest one counts.
        if (output.getAttribute("data-rating-request") !== request) {
          return;
        }
        if (result.ok) {
          show(output, result.body.rating);
        } else {
          message(output, "Rating unavailable");
        }
      })
      .catch(function () {
        message(output, "Rating unavailable");
      })
      .finally(function () {
        output.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.matches("[data-rating]")) {
      return;
    }
    var scope = target.closest("[data-rating-preview]");
    if (scope) {
      update(scope);
    }
  });
})();
