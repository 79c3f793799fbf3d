// Online storage: drag and drop, and one request per file with its own progress bar.
// Without this script the page still works: the form posts the files as multipart.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = document.getElementById("id_files");
  var zone = document.getElementById("drop-zone");
  var list = document.getElementById("upload-list");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var folder = form.querySelector("input[name=folder]").value;
  var usageText = document.getElementById("usage-text");
  var usageBar = document.getElementById("usage-bar");

  function row(file) {
    var item = document.createElement("li");
    item.className = "upload-item";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = "0%";
    item.appendChild(name);
    item.appendChild(bar);
    item.appendChild(state);
    list.appendChild(item);
    return { item: item, bar: bar, state: state };
  }

  function send(file, shown) {
    return new Promise(function (resolve) {
      var request = new XMLHttpRequest();
      var query = "?name=" + encodeURIComponent(file.name) + "&folder=" + encodeURIComponent(folder);
      request.open("POST", form.getAttribute("data-upload-url") + query);
      request.setRequestHeader("X-CSRFToken", token);
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          shown.bar.max = event.total || 1;
          shown.bar.value = event.loaded;
          shown.state.textContent = Math.floor(event.loaded * 100 / (event.total || 1)) + "%";
        }
      };
      request.onload = function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (ignored) { answer = {}; }
        if (request.status === 201) {
          shown.bar.value = shown.bar.max;
          shown.state.textContent = form.getAttribute("data-done");
          shown.item.classList.add("done");
          if (answer.usage) {
            usageText.textContent = answer.usage.text;
            usageBar.value = answer.usage.used;
          }
        } else {
          shown.state.textContent = form.getAttribute("data-failed") + ": " + (answer.error || request.status);
          shown.item.classList.add("failed");
        }
        resolve(request.status === 201);
      };
      request.onerror = function () {
        shown.state.textContent = form.getAttribute("data-failed");
        shown.item.classList.add("failed");
        resolve(false);
      };
      request.send(file);
    });
  }

  function upload(files) {
    var chosen = Array.prototype.slice.call(files);
    if (!chosen.length) { return; }
    var sends = chosen.map(function (file) { return send(file, row(file)); });
    Promise.all(sends).then(function (results) {
      if (results.every(Boolean)) { window.location.reload(); }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    upload(input.files);
    input.value = "";
  });
  input.addEventListener("change", function () {
    upload(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer) { upload(event.dataTransfer.files); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("form.delete-form"), function (each) {
    each.addEventListener("submit", function (event) {
      if (!window.confirm(each.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
