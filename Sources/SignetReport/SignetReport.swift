// # SignetReport
//
// Presenting reports, for the CLI and for any other front end (an HTTP server): nothing here verifies, detects
// or reads files; every type turns a finished report into text, JSON or HTML.
//
// - ``ReportJSON``: a ``Signet/VerificationReport`` in the shape of c2pa-rs's Reader JSON (`verify --json`,
//   `inspect --json`); ``DetailedReport`` adds every claim, assertion box, hash and size (`inspect --detailed`).
// - ``HumanReport``, ``TreeReport``, ``HistoryTree``: the terminal views (`verify`, `inspect`, `inspect --boxes`,
//   `inspect --tree`).
// - ``DetectionJSON``, ``DetectionText``: the fallback detector's ``SignetDetect/DetectionReport``.
// - ``HTMLReport``: the investigator's self-contained HTML page, rendered from the ``ReportJSON`` shape.
//
// What stays in `Signet`: ``Signet/JSONValue`` (a general, order-keeping JSON value that manifest definitions
// are parsed into and `Builder` reads) and ``Signet/CBORJSON`` (the CBOR/JSON conversion `Builder` uses to write
// assertion data). ``ReportJSON`` moved here: no code in `Signet` renders reports, so the model library keeps
// no presentation.
