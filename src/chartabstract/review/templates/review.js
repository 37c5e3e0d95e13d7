// Keyboard shortcuts for the review page, and scrolling each evidence sentence into view.
(function () {
  document.querySelectorAll(".note mark").forEach(function (mark) {
    var box = mark.closest(".note");
    box.scrollTop = mark.offsetTop - box.offsetTop - box.clientHeight / 3;
  });
  var form = document.getElementById("decide");
  var corrected = document.getElementById("corrected");
  var action = document.getElementById("action");
  function submit(kind) {
    action.value = kind;
    var radios = form.querySelectorAll("input[type=radio]");
    if (kind === "correct") {
      corrected.disabled = false;
      radios.forEach(function (r) { r.disabled = true; });
    } else {
      corrected.disabled = true;
      radios.forEach(function (r) { r.disabled = false; });
    }
    form.submit();
  }
  if (form) {
    form.querySelectorAll("button[data-action]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        submit(button.dataset.action);
      });
    });
    corrected.disabled = false;
    corrected.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); submit("correct"); }
      if (event.key === "Escape") { corrected.blur(); }
    });
  }
  document.body.dataset.ready = "1";  // shortcuts are live (tests wait for this)
  document.addEventListener("keydown", function (event) {
    var typing = event.target.tagName === "INPUT" && event.target.type !== "radio";
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var next = document.getElementById("next");
    if (event.key === "n" && next) { window.location = next.href; return; }
    if (!form) { return; }
    if (event.key === "a") { submit("accept"); }
    else if (event.key === "d") { submit("nd"); }
    else if (event.key === "c") { event.preventDefault(); corrected.focus(); }
    else if (/^[1-9]$/.test(event.key)) {
      var radio = form.querySelector("input[data-key='" + event.key + "']");
      if (radio) { radio.checked = true; }
    }
  });
})();
