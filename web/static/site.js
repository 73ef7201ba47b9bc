// wenku's only script: uploads with progress and live status, the converting page's refresh,
// the share page's copy button. Pages work without it except for uploading.
"use strict";

function uploadFile(file, category, row, labels) {
  return new Promise((resolve) => {
    const params = new URLSearchParams({ name: file.name });
    if (category) params.set("category", category);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/documents?" + params.toString());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    const csrf = document.querySelector('meta[name="csrf-token"]');
    if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf.content);
    const bar = row.querySelector("progress");
    const status = row.querySelector(".status");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201) {
        bar.value = 1;
        row.dataset.id = body.id;
        status.textContent = labels.queued;
        row.dataset.state = "queued";
        resolve(body);
      } else {
        row.dataset.state = "failed";
        status.textContent = labels.failed + ": " + ((body.error && body.error.message) || xhr.status);
        if (body.error && body.error.existing_id) addLink(row, "/d/" + body.error.existing_id, labels.open);
        resolve(null);
      }
    };
    xhr.onerror = () => {
      row.dataset.state = "failed";
      status.textContent = labels.failed;
      resolve(null);
    };
    xhr.send(file);
  });
}

function addLink(row, href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  a.className = "open";
  row.appendChild(a);
}

async function watch(row, id, labels) {
  const status = row.querySelector(".status");
  for (;;) {
    const r = await fetch("/api/documents/" + id + "/status", { cache: "no-store" });
    if (r.ok) {
      const s = await r.json();
      row.dataset.state = s.status;
      if (s.status === "ready") {
        status.textContent = labels.ready + " · " + s.page_count;
        addLink(row, s.url, labels.open);
        return;
      }
      if (s.status === "failed") {
        status.textContent = labels.failed + ": " + s.error;
        return;
      }
      status.textContent = labels[s.status] || s.status;
    }
    await new Promise((done) => setTimeout(done, 700));
  }
}

function setUpUpload(form) {
  const list = document.getElementById("upload-list");
  const labels = {
    uploading: list.dataset.uploading, queued: list.dataset.queued, converting: list.dataset.converting,
    ready: list.dataset.ready, failed: list.dataset.failed, open: list.dataset.open,
  };
  const maxBytes = Number(form.dataset.maxMb) * 1024 * 1024;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(document.getElementById("files").files);
    const category = document.getElementById("category").value;
    const jobs = files.map(async (file) => {
      const row = document.createElement("li");
      row.className = "upload-row";
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      const status = document.createElement("span");
      status.className = "status";
      status.textContent = labels.uploading;
      row.append(name, bar, status);
      row.dataset.state = "uploading";
      list.appendChild(row);
      if (file.size > maxBytes) {
        row.dataset.state = "failed";
        status.textContent = labels.failed + ": > " + form.dataset.maxMb + " MB";
        return;
      }
      const created = await uploadFile(file, category, row, labels);
      if (created) await watch(row, created.id, labels);
    });
    await Promise.all(jobs);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  if (form) setUpUpload(form);

  const converting = document.querySelector(".converting[data-status-url]");
  if (converting) {
    const poll = async () => {
      const r = await fetch(converting.dataset.statusUrl, { cache: "no-store" });
      const status = r.ok ? (await r.json()).status : "";
      if (status === "ready" || status === "failed") location.reload();
      else setTimeout(poll, 1500);
    };
    setTimeout(poll, 1500);
  }

  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(button.dataset.copy));
  }
});
