/// The dashboard's stylesheet and script, served from the binary (no CDN, no build step).
enum DashboardAssets {
    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #dfe3ea; --bg: #f6f7f9; --card: #fff;
          --ok: #1f8f4e; --warn: #b7791f; --bad: #c53030; --off: #718096; --accent: #2b59c3; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.9em; }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem 1.5rem; padding: 0.75rem 1.25rem;
          background: var(--ink); color: #fff; }
        header.top a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; letter-spacing: 0.02em; }
        header nav { display: flex; flex-wrap: wrap; gap: 1rem; flex: 1; }
        .signout { display: flex; align-items: center; gap: 0.5rem; margin: 0; }
        .who { color: #cbd2e0; font-size: 0.9em; }
        main { max-width: 1100px; margin: 0 auto; padding: 1.25rem; }
        h1 { font-size: 1.5rem; margin: 0.25rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
        .muted, .reason { color: var(--muted); }
        .notice { background: #e8f0fe; border: 1px solid #c3d4f7; padding: 0.6rem 0.8rem; border-radius: 6px; }
        .error { background: #fdecec; border: 1px solid #f5c2c2; padding: 0.6rem 0.8rem; border-radius: 6px; }
        button { font: inherit; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
        header button { background: transparent; color: #fff; border-color: #4a5468; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem; }
        .vendor { font-size: 0.8em; font-weight: 400; color: var(--muted); margin-left: 0.35rem; }
        .state { margin: 0 0 0.5rem; font-weight: 600; }
        .dot { display: inline-block; width: 0.65rem; height: 0.65rem; border-radius: 50%; margin-right: 0.4rem; background: var(--off); }
        .state-healthy .dot { background: var(--ok); }
        .state-failing .dot { background: var(--bad); }
        .state-unavailable .dot { background: var(--warn); }
        .state-disabled .dot { background: var(--off); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 0.75rem; margin: 0 0 0.75rem; }
        dt { color: var(--muted); }
        dd { margin: 0; }
        a.dead { color: var(--bad); font-weight: 600; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid var(--line); }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        .signin { max-width: 420px; margin: 2rem auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; }
        .signin label { display: block; margin: 0.75rem 0; }
        .signin input { display: block; width: 100%; margin-top: 0.25rem; padding: 0.5rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
        .crumbs { margin: 0; color: var(--muted); }
        .actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
        .actions form { margin: 0; }
        .pace input { width: 7rem; padding: 0.35rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
        .scroll { overflow-x: auto; }
        figure.chart { margin: 0 0 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 0.5rem; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .axis { stroke: var(--line); }
        svg .bar { fill: #b9c8ef; }
        svg .bar.failed { fill: #f3b0b0; }
        svg .duration { fill: none; stroke: var(--accent); stroke-width: 2; }
        svg .legend { font-size: 11px; fill: var(--muted); }
        tr.run-failed td, tr.availability-failing td { background: #fff5f5; }
        .filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; margin-bottom: 1rem; }
        .filters select { display: block; font: inherit; padding: 0.35rem; }
        pre.payload { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 0.75rem; overflow-x: auto; }
        tr.delivery-dead td, tr.delivery-conflict td { background: #fff5f5; }
        .create { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; }
        .create input { display: block; font: inherit; padding: 0.35rem; border: 1px solid var(--line); border-radius: 6px; }
        .secret { border-color: #c3d4f7; background: #f3f7ff; margin-bottom: 1rem; }
        code.secret-value { word-break: break-all; }
        .filters input[type=search] { display: block; font: inherit; padding: 0.35rem; border: 1px solid var(--line); border-radius: 6px; }
        .filters .check { display: flex; gap: 0.3rem; align-items: center; }
        span.deleted { color: var(--bad); font-size: 0.85em; font-weight: 600; }
        tr.record-deleted td { background: #fff5f5; }
        table.fields th { width: 30%; font-weight: 400; color: var(--muted); word-break: break-word; }
        table.fields td { word-break: break-word; }
        .pages { display: flex; gap: 1rem; }
        @media (max-width: 600px) {
          main { padding: 0.75rem; }
          header.top { padding: 0.6rem 0.75rem; }
          .cards { grid-template-columns: 1fr; }
          .who { display: none; }
        }
        """

    /// Asks before a form whose button carries `data-confirm` is sent.
    static let javascript = """
        document.addEventListener("submit", function (event) {
          var button = event.submitter;
          var question = button && button.getAttribute("data-confirm");
          if (question && !window.confirm(question)) { event.preventDefault(); }
        });
        """
}
