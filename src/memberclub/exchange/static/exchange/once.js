// A second click would be harmless (one token, one redemption); this just says "sending".
document.querySelectorAll("form.once").forEach(function (form) {
  form.addEventListener("submit", function () {
    var button = form.querySelector("button");
    setTimeout(function () { button.disabled = true; }, 0);
  });
});
