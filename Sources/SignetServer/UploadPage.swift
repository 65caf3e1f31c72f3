/// The page at `GET /`: pick or drop a file, see its verdict, its edit history with thumbnails, the signer and
/// what failed. Self-contained (no external assets). The file goes to `POST /v1/inspect.html`; the investigator
/// page that comes back is shown in a sandboxed frame (scripts run there in an opaque origin, with no access to
/// this page or the service), and a one-line verdict from the same report's JSON sits above it.
enum UploadPage {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Signet: check a file</title>
        <style>
        body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
        header { padding: 14px 24px; background: #1b1f24; color: #fff; }
        header h1 { margin: 0; font-size: 18px; }
        main { padding: 18px 24px; }
        #drop { border: 2px dashed #8a94a3; border-radius: 8px; padding: 28px; text-align: center; background: #fff; }
        #drop.over { border-color: #2463eb; background: #eef3ff; }
        #verdict { margin: 14px 0; padding: 10px 14px; border-radius: 6px; display: none; font-weight: 600; }
        #verdict.Trusted { display: block; background: #e3f6e8; color: #0f5a24; }
        #verdict.Valid { display: block; background: #fff6db; color: #6b4e00; }
        #verdict.Invalid, #verdict.error { display: block; background: #fde7e7; color: #8a1111; }
        #verdict.none { display: block; background: #eceff3; color: #333; }
        #report { width: 100%; height: 75vh; border: 1px solid #cfd5dd; border-radius: 6px; background: #fff; display: none; }
        #failures { color: #8a1111; }
        </style>
        </head>
        <body>
        <header><h1>Signet: who made this file, and what happened to it</h1></header>
        <main>
        <div id="drop">
          <p>Drop a photo, audio or video file here, or <label><u>pick one</u><input id="pick" type="file" hidden></label>.</p>
          <p><small>The file is checked on this server and deleted when the answer is sent.</small></p>
        </div>
        <div id="verdict" role="status"></div>
        <ul id="failures"></ul>
        <iframe id="report" title="Investigator report" sandbox="allow-scripts"></iframe>
        </main>
        <script>
        (function () {
          var drop = document.getElementById('drop'), pick = document.getElementById('pick');
          var verdict = document.getElementById('verdict'), frame = document.getElementById('report');
          var failures = document.getElementById('failures');
          function show(kind, text) { verdict.className = kind; verdict.textContent = text; }
          function send(file) {
            show('none', 'Checking ' + file.name + '\\u2026');
            failures.textContent = ''; frame.style.display = 'none';
            var q = '?name=' + encodeURIComponent(file.name);
            fetch('/v1/inspect' + q, { method: 'POST', body: file })
              .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
              .then(function (pair) {
                var ok = pair[0], j = pair[1];
                if (!ok) { show('error', (j.error && j.error.message) || 'The file could not be checked.'); return; }
                var count = j.manifests ? Object.keys(j.manifests).length : 0;
                var state = count ? (j.validation_state || 'Invalid') : 'none';
                var line = count ? file.name + ': ' + state : file.name + ': no C2PA manifest';
                var active = j.active_manifest && j.manifests && j.manifests[j.active_manifest];
                if (active && active.signature_info) {
                  var s = active.signature_info;
                  line += ', signed by ' + (s.common_name || s.issuer || 'an unknown signer');
                }
                if (j.detection && j.detection.band) { line += ' \\u2014 detector: ' + j.detection.band; }
                show(state, line);
                var bad = (j.validation_results && j.validation_results.activeManifest && j.validation_results.activeManifest.failure) || [];
                bad.forEach(function (f) {
                  var li = document.createElement('li'); li.textContent = f.code + (f.explanation ? ': ' + f.explanation : '');
                  failures.appendChild(li);
                });
                return fetch('/v1/inspect.html' + q, { method: 'POST', body: file })
                  .then(function (r) { return r.text(); })
                  .then(function (html) { frame.srcdoc = html; frame.style.display = 'block'; });
              })
              .catch(function () { show('error', 'The server could not be reached.'); });
          }
          pick.addEventListener('change', function () { if (pick.files[0]) send(pick.files[0]); });
          drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
          drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
          drop.addEventListener('drop', function (e) {
            e.preventDefault(); drop.classList.remove('over');
            if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
          });
        })();
        </script>
        </body>
        </html>
        """
}
