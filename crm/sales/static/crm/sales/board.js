/* Kanban board: drag a deal to another stage; the server decides (key actions, lost
   reason). A refused move snaps the card back and shows why; managers may override with a
   reason, and a lost stage asks for the lost reason. No external dependencies besides the
   vendored SortableJS. */
(function () {
  "use strict";

  function init() {
    var board = document.getElementById("board");
    if (!board || typeof Sortable === "undefined") { return; }
    var canMove = board.dataset.canMove === "1";
    var csrfToken = board.dataset.csrfToken;
    var panel = document.getElementById("board-message");
    var panelText = panel.querySelector(".text");
    var followup = panel.querySelector(".board-followup");
    var followupLabel = followup.querySelector(".followup-label");
    var followupInput = followup.querySelector("input[name=reason]");
    var followupButton = followup.querySelector("button[type=submit]");
    var pending = null;  // {card, from, to, oldIndex, field}

    function showMessage(text, ok) {
      panel.hidden = false;
      panel.classList.toggle("ok", !!ok);
      panelText.textContent = text;
      followup.hidden = true;
    }

    function hideMessage() {
      panel.hidden = true;
      followup.hidden = true;
      pending = null;
    }

    function askFollowup(field, label, buttonText) {
      followup.hidden = false;
      followupLabel.textContent = label;
      followupLabel.setAttribute("for", "board-followup-reason");
      followupInput.id = "board-followup-reason";
      followupInput.value = "";
      followupButton.textContent = buttonText;
      pending.field = field;
      followupInput.focus();
    }

    function snapBack(move) {
      var sibling = move.from.children[move.oldIndex] || null;
      move.from.insertBefore(move.card, sibling);
    }

    function adjustCount(dropzone, delta) {
      var column = dropzone.closest(".column");
      var counter = column && column.querySelector(".count");
      if (!counter) { return; }
      var value = parseInt(counter.dataset.count || "0", 10) + delta;
      counter.dataset.count = String(value);
      counter.textContent = String(value);
    }

    function send(move, extra) {
      var body = new FormData();
      body.append("stage", move.to.dataset.stageId);
      Object.keys(extra || {}).forEach(function (key) { body.append(key, extra[key]); });
      move.card.classList.add("moving");
      return fetch(move.card.dataset.moveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken, "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return { ok: false }; })
          .then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        move.card.classList.remove("moving");
        var data = result.data || {};
        if (result.status === 200 && data.ok) {
          move.card.dataset.stageId = String(data.stage);
          var probability = move.card.querySelector(".probability");
          if (probability) { probability.textContent = data.probability + "%"; }
          adjustCount(move.from, -1);
          adjustCount(move.to, 1);
          hideMessage();
          return;
        }
        snapBack(move);
        pending = move;
        showMessage(data.message || board.dataset.textError, false);
        if (data.code === "key_actions_incomplete" && data.can_override) {
          askFollowup("override_reason", board.dataset.textOverride,
                      board.dataset.textOverrideButton);
        } else if (data.code === "lost_reason_required") {
          askFollowup("lost_reason", board.dataset.textLost, board.dataset.textLostButton);
        } else {
          pending = null;
        }
      }).catch(function () {
        move.card.classList.remove("moving");
        snapBack(move);
        showMessage(board.dataset.textError, false);
      });
    }

    followup.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending || !followupInput.value.trim()) { return; }
      var move = pending;
      var extra = {};
      extra[move.field] = followupInput.value.trim();
      // Put the card where the user dropped it while the server decides again.
      move.to.appendChild(move.card);
      send(move, extra);
    });
    followup.querySelector("[data-dismiss]").addEventListener("click", hideMessage);

    board.querySelectorAll(".dropzone").forEach(function (zone) {
      Sortable.create(zone, {
        group: "board",
        animation: 150,
        disabled: !canMove,
        draggable: ".deal",
        onEnd: function (event) {
          if (event.from === event.to) { return; }
          hideMessage();
          send({ card: event.item, from: event.from, to: event.to, oldIndex: event.oldIndex });
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
