/// The dashboard's Mustache templates, compiled into the binary (no files to ship or find at
/// run time). `{{name}}` is HTML-escaped; `{{{body}}}` (the layout's page) is the only unescaped
/// tag, and it holds a page rendered from these templates.
enum DashboardTemplates {
    static let all: [String: String] = [
        "layout": layout, "signIn": signIn, "overview": overview, "message": message,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · RealtyHub</title>
        <link rel="stylesheet" href="/dashboard/assets/app.css">
        <script src="/dashboard/assets/app.js" defer></script>
        </head>
        <body>
        <header class="top">
        <a class="brand" href="/dashboard">RealtyHub</a>
        {{#user}}
        <nav>
        <a href="/dashboard">Connections</a>
        </nav>
        <form class="signout" method="post" action="/dashboard/sign-out">
        <input type="hidden" name="form_token" value="{{formToken}}">
        <span class="who">{{clientName}} · {{tenantID}}</span>
        <button type="submit">Sign out</button>
        </form>
        {{/user}}
        </header>
        <main>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let signIn = """
        <section class="signin">
        <h1>Sign in</h1>
        <p class="muted">With an API client's id and secret (<code>realtyhub clients create</code>), or the link <code>realtyhub demo</code> prints.</p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/dashboard/sign-in">
        <input type="hidden" name="form_token" value="{{formToken}}">
        <label>Client id <input name="client_id" autocomplete="username" required value="{{clientID}}"></label>
        <label>Client secret <input name="client_secret" type="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
        </form>
        </section>
        """

    static let overview = """
        <h1>Connections</h1>
        {{^mayReadConnections}}<p class="muted">This client may not read connections (it lacks connections:read).</p>{{/mayReadConnections}}
        {{#mayReadConnections}}
        {{^connections}}<p class="muted">No connections yet: add one with <code>realtyhub connections add</code> or <code>POST /v1/connections</code>.</p>{{/connections}}
        <div class="cards">
        {{#connections}}
        <section class="card state-{{stateClass}}" data-connection="{{id}}">
        <h2><a href="/dashboard/connections/{{id}}">{{name}}</a> <span class="vendor">{{vendor}}</span></h2>
        <p class="state"><span class="dot"></span>{{stateLabel}}</p>
        {{#stateReason}}<p class="reason">{{stateReason}}</p>{{/stateReason}}
        <dl>
        <dt>Last sync</dt><dd>{{lastSync}}</dd>
        <dt>Next sync</dt><dd>{{nextSync}}</dd>
        <dt>Requests today</dt><dd>{{budget}}</dd>
        {{#mayReadDeliveries}}<dt>Dead letters</dt><dd>{{#hasDeadLetters}}<a class="dead" href="/dashboard/deliveries?state=dead&amp;connection={{id}}">{{deadLetters}}</a>{{/hasDeadLetters}}{{^hasDeadLetters}}0{{/hasDeadLetters}}</dd>{{/mayReadDeliveries}}
        </dl>
        {{#hasCounts}}
        <table class="counts">
        <thead><tr><th>Resource</th><th>Records</th></tr></thead>
        <tbody>
        {{#counts}}<tr><td>{{resource}}</td><td class="number">{{count}}</td></tr>{{/counts}}
        </tbody>
        </table>
        {{/hasCounts}}
        </section>
        {{/connections}}
        </div>
        {{/mayReadConnections}}
        """

    static let message = """
        <section class="message">
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/dashboard">Back to the dashboard</a></p>
        </section>
        """
}
