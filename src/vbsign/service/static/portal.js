// The verification portal (vbsign.service.portal). Plain JavaScript, no build step, no
// dependency. Words come from the page (#vbsign-labels); everything a document says is put
// into the page as text (textContent), never as markup, and the full report is shown in a
// sandboxed frame that runs no script.
"use strict";

(function () {
  const L = JSON.parse(document.getElementById("vbsign-labels").textContent);
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const list = document.getElementById("results");
  const TONES = { "TOTAL-PASSED": "valid", "TOTAL-FAILED": "invalid", "INDETERMINATE": "indeterminate", "NO_SIGNATURE_FOUND": "invalid" };
  let queue = Promise.resolve();

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function mode() {
    const checked = document.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "verify";
  }

  // a detached signature (x.p7s / x.sig) is sent with its content file x when both are chosen
  function pair(files) {
    const byName = new Map(files.map((f) => [f.name, f]));
    const used = new Set();
    const items = [];
    for (const f of files) {
      const m = /^(.*)\.(p7s|sig)$/i.exec(f.name);
      if (m && byName.has(m[1])) {
        items.push({ doc: f, content: byName.get(m[1]) });
        used.add(m[1]);
      }
    }
    for (const f of files) {
      if (!used.has(f.name) && !items.some((i) => i.doc === f)) items.push({ doc: f, content: null });
    }
    return items;
  }

  function form(item) {
    const data = new FormData();
    data.append("file", item.doc, item.doc.name);
    if (item.content) data.append("content", item.content, item.content.name);
    return data;
  }

  function message(error) {
    if (!error) return L.error;
    return (L.lang === "en" ? error.message_en : error.message_vi) || error.code || L.error;
  }

  function reasons(report) {
    if (report.indication === "TOTAL-PASSED") return [];
    const failing = (report.signatures || []).filter((s) => s.indication !== "TOTAL-PASSED");
    const found = (report.findings || []).concat(...failing.map((s) => s.findings || []));
    for (const severity of ["error", "warning"]) {
      const picked = found.filter((f) => f.severity === severity).map((f) => (L.lang === "en" ? f.message_en : f.message_vi));
      if (picked.length) return [...new Set(picked)];
    }
    return [];
  }

  function signerNames(report) {
    return (report.signatures || [])
      .filter((s) => s.kind === "signature" && s.signer)
      .map((s) => s.id + ": " + ((s.signer.subject_fields || {}).common_name || s.signer.subject));
  }

  async function post(path, item) {
    return fetch(path, { method: "POST", body: form(item), headers: { Accept: "application/json" } });
  }

  async function showReport(card, item, kind) {
    const frame = el("iframe", { class: "report", title: L.report + ": " + item.doc.name, sandbox: "allow-same-origin allow-modals" });
    const res = await post("/api/v1/report?format=html&kind=" + kind + "&lang=" + L.lang, item);
    if (!res.ok) return null;
    frame.srcdoc = await res.text();
    frame.addEventListener("load", () => {
      const doc = frame.contentDocument;
      if (doc && doc.body) frame.style.height = doc.documentElement.scrollHeight + 24 + "px";
    });
    card.appendChild(frame);
    return frame;
  }

  async function downloadPdf(button, item, kind) {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = L.preparing;
    try {
      const res = await post("/api/v1/report?format=pdf&kind=" + kind + "&lang=" + L.lang, item);
      if (!res.ok) throw new Error(String(res.status));
      const url = URL.createObjectURL(await res.blob());
      const a = el("a", { href: url, download: item.doc.name + ".report.pdf" });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function actions(card, item, kind, frame) {
    const bar = el("div", { class: "actions" });
    const toggle = el("button", { type: "button", "aria-expanded": "true" }, L.hide_report);
    toggle.addEventListener("click", () => {
      const shown = frame.hidden;
      frame.hidden = !shown;
      toggle.setAttribute("aria-expanded", String(shown));
      toggle.textContent = shown ? L.hide_report : L.show_report;
    });
    const print = el("button", { type: "button", class: "print" }, L.print);
    print.addEventListener("click", () => frame.contentWindow.print());
    const pdf = el("button", { type: "button", class: "download" }, L.download);
    pdf.addEventListener("click", () => downloadPdf(pdf, item, kind));
    bar.append(toggle, print, pdf);
    card.insertBefore(bar, frame);
  }

  function verdictBlock(card, answer, kind) {
    const report = kind === "validate" ? answer.verification : answer;
    card.classList.add("tone-" + (TONES[report.indication] || "indeterminate"));
    const verdict = el("p", { class: "verdict", "data-indication": report.indication }, L.indication[report.indication] || report.indication);
    const code = el("p", { class: "code" }, report.indication + (report.sub_indication ? " / " + report.sub_indication : ""));
    card.append(el("p", { class: "label" }, L.verdict + ":"), verdict, code);
    if (kind === "validate") card.append(el("p", { class: "policy" }, L.policy + ": " + (L.status[answer.status] || answer.status)));
    const names = signerNames(report);
    if (names.length) {
      card.append(el("p", { class: "label" }, L.signers + ":"));
      const ul = el("ul", { class: "signers" });
      names.forEach((n) => ul.append(el("li", {}, n)));
      card.append(ul);
    }
    const why = reasons(report);
    if (why.length) {
      card.append(el("p", { class: "label" }, L.reasons + ":"));
      const ul = el("ul", { class: "reasons" });
      why.forEach((r) => ul.append(el("li", {}, r)));
      card.append(ul);
    }
  }

  async function check(item) {
    const kind = mode();
    const card = el("li", { class: "result" });
    const title = item.doc.name + (item.content ? " (" + L.with_content + ": " + item.content.name + ")" : "");
    card.append(el("h3", {}, title));
    const status = el("p", { class: "status", role: "status" }, L.checking);
    card.append(status);
    list.prepend(card);
    let res;
    try {
      res = await post("/api/v1/" + kind, item);
    } catch (e) {
      status.textContent = L.network;
      card.classList.add("tone-error");
      return;
    }
    const answer = await res.json().catch(() => null);
    if (!res.ok || !answer) {
      card.classList.add("tone-error");
      status.textContent = L.error + ": " + message(answer && answer.error);
      return;
    }
    status.remove();
    verdictBlock(card, answer, kind);
    const frame = await showReport(card, item, kind);
    if (frame) actions(card, item, kind, frame);
  }

  function enqueue(fileList) {
    const items = pair(Array.from(fileList));
    for (const item of items) queue = queue.then(() => check(item)).catch(() => undefined);
  }

  input.addEventListener("change", () => {
    enqueue(input.files);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    if (e.dataTransfer && e.dataTransfer.files.length) enqueue(e.dataTransfer.files);
  });
})();
