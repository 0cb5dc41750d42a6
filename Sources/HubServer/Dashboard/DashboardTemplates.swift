/// The dashboard's Mustache templates, compiled into the binary (no files to ship or find at
/// run time). `{{name}}` is HTML-escaped; `{{{body}}}` (the layout's page) is the only unescaped
/// tag, and it holds a page rendered from these templates.
enum DashboardTemplates {
    static let all: [String: String] = [
        "layout": layout, "signIn": signIn, "overview": overview, "message": message, "connection": connection,
        "deliveries": deliveries, "delivery": delivery, "clients": clients,
        "webhooks": webhooks, "records": records, "record": record,
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
        <a href="/dashboard/deliveries">Deliveries</a>
        {{#mayReadRecords}}<a href="/dashboard/records">Records</a>{{/mayReadRecords}}
        <a href="/dashboard/webhooks">Webhooks</a>
        <a href="/dashboard/clients">API clients</a>
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

    static let connection = """
        <p class="crumbs"><a href="/dashboard">Connections</a> ›</p>
        <h1>{{name}} <span class="vendor">{{vendor}}</span></h1>
        <section class="card state-{{stateClass}}">
        <p class="state"><span class="dot"></span>{{stateLabel}}</p>
        {{#stateReason}}<p class="reason">{{stateReason}}</p>{{/stateReason}}
        <dl>
        <dt>Base URL</dt><dd><code>{{baseURL}}</code></dd>
        <dt>Scheduled</dt><dd>{{interval}}</dd>
        </dl>
        {{#mayWrite}}
        <div class="actions">
        <form method="post" action="/dashboard/connections/{{id}}/test"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Test</button></form>
        {{#enabled}}
        <form method="post" action="/dashboard/connections/{{id}}/sync"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Sync now</button></form>
        <form method="post" action="/dashboard/connections/{{id}}/disable"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit" data-confirm="Disable this connection? Syncs and deliveries stop until it is enabled.">Disable</button></form>
        {{/enabled}}
        {{^enabled}}
        <form method="post" action="/dashboard/connections/{{id}}/enable"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Enable</button></form>
        {{/enabled}}
        <form class="pace" method="post" action="/dashboard/connections/{{id}}/pace"><input type="hidden" name="form_token" value="{{formToken}}">
        <label>Requests per second <input name="requests_per_second" inputmode="decimal" value="{{rate}}" placeholder="vendor default"></label>
        <button type="submit">Save</button></form>
        </div>
        {{/mayWrite}}
        </section>

        <h2>Resources</h2>
        <table class="resources">
        <thead><tr><th>Resource</th><th>State</th><th>Last sync</th><th>Next</th></tr></thead>
        <tbody>
        {{#resources}}<tr class="availability-{{availabilityClass}}"><td>{{resource}}</td><td>{{availability}}{{#running}} (running){{/running}}{{#reason}}<br><span class="reason">{{reason}}</span>{{/reason}}</td><td>{{lastSync}}</td><td>{{nextSync}}</td></tr>
        {{/resources}}
        </tbody>
        </table>

        <h2>Sync runs</h2>
        {{^hasRuns}}<p class="muted">No sync has run yet.</p>{{/hasRuns}}
        {{#hasRuns}}
        <figure class="chart">{{{chart}}}</figure>
        <div class="scroll">
        <table class="runs">
        <thead><tr><th>Started</th><th>Resource</th><th>Mode</th><th>Status</th><th>Took</th><th>New</th><th>Changed</th><th>Same</th><th>Deleted</th><th>Pages</th></tr></thead>
        <tbody>
        {{#runs}}<tr class="run-{{status}}"><td>{{started}}</td><td>{{resource}}</td><td>{{mode}}</td><td>{{status}}{{#error}}<br><span class="reason">{{error}}</span>{{/error}}</td><td>{{duration}}</td><td class="number">{{inserted}}</td><td class="number">{{updated}}</td><td class="number">{{unchanged}}</td><td class="number">{{deleted}}</td><td class="number">{{pages}}</td></tr>
        {{/runs}}
        </tbody>
        </table>
        </div>
        {{/hasRuns}}
        """

    static let deliveries = """
        <h1>Deliveries</h1>
        <form class="filters" method="get" action="/dashboard/deliveries">
        <label>State <select name="state"><option value="">any</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/states}}</select></label>
        <label>Connection <select name="connection"><option value="">any</option>{{#connections}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/connections}}</select></label>
        <button type="submit">Show</button>
        </form>
        {{^hasDeliveries}}<p class="muted">No deliveries match.</p>{{/hasDeliveries}}
        {{#hasDeliveries}}
        <div class="scroll">
        <table class="deliveries">
        <thead><tr><th>Created</th><th>Connection</th><th>Kind</th><th>State</th><th>Attempts</th><th>Last error</th></tr></thead>
        <tbody>
        {{#deliveries}}<tr class="delivery-{{state}}"><td><a href="/dashboard/deliveries/{{id}}">{{created}}</a></td><td>{{connection}}</td><td>{{kind}}</td><td>{{state}}</td><td>{{attempts}}</td><td>{{#error}}<span class="reason">{{error}}</span>{{/error}}</td></tr>
        {{/deliveries}}
        </tbody>
        </table>
        </div>
        {{#more}}<p class="muted">The newest 200 are shown; narrow the filter to see others.</p>{{/more}}
        {{/hasDeliveries}}
        """

    static let delivery = """
        <p class="crumbs"><a href="/dashboard/deliveries">Deliveries</a> ›</p>
        <h1>Delivery <code>{{id}}</code></h1>
        <section class="card delivery-{{state}}">
        <dl>
        <dt>State</dt><dd class="delivery-state">{{state}}</dd>
        <dt>Kind</dt><dd>{{kind}}</dd>
        <dt>Connection</dt><dd><a href="/dashboard/connections/{{connectionID}}">{{connection}}</a></dd>
        <dt>Attempts</dt><dd>{{attempts}} of {{maxAttempts}}</dd>
        {{#error}}<dt>Why</dt><dd class="reason">{{error}}{{#errorCode}} <code>{{errorCode}}</code>{{/errorCode}}</dd>{{/error}}
        {{#nextAttempt}}<dt>Next attempt</dt><dd>{{nextAttempt}}</dd>{{/nextAttempt}}
        {{#remoteID}}<dt>At the vendor</dt><dd><code>{{remoteID}}</code></dd>{{/remoteID}}
        {{#recordKey}}<dt>Record</dt><dd><code>{{recordKey}}</code></dd>{{/recordKey}}
        <dt>Created</dt><dd>{{created}}</dd>
        <dt>Updated</dt><dd>{{updated}}</dd>
        {{#completed}}<dt>Completed</dt><dd>{{completed}}</dd>{{/completed}}
        </dl>
        {{#mayRetry}}
        <div class="actions">
        <form method="post" action="/dashboard/deliveries/{{id}}/retry"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Retry</button></form>
        {{#conflict}}<form method="post" action="/dashboard/deliveries/{{id}}/retry"><input type="hidden" name="form_token" value="{{formToken}}"><input type="hidden" name="force" value="true"><button type="submit" data-confirm="Overwrite the vendor's newer record with the hub's change?">Send anyway</button></form>{{/conflict}}
        </div>
        {{/mayRetry}}
        </section>
        <h2>Payload</h2>
        <pre class="payload">{{payload}}</pre>
        """

    static let records = """
        <h1>Records</h1>
        <form class="filters" method="get" action="/dashboard/records">
        <label>Resource <select name="resource">{{#resources}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/resources}}</select></label>
        <label>Search by <select name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select></label>
        <label>Text <input name="q" type="search" value="{{q}}" maxlength="200"></label>
        <label class="check"><input type="checkbox" name="deleted" value="1"{{#includeDeleted}} checked{{/includeDeleted}}> deleted too</label>
        <button type="submit">Show</button>
        </form>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{^error}}
        {{^hasRows}}<p class="muted">{{#searched}}No {{resource}} records match this search.{{/searched}}{{^searched}}No {{resource}} records on this page.{{/searched}}</p>{{/hasRows}}
        {{#hasRows}}
        <p class="muted">{{resource}} {{summary}}, newest first.{{#broad}} Type more of the search to narrow it.{{/broad}}</p>
        <div class="scroll">
        <table class="records">
        <thead><tr><th>Key</th><th>Title</th><th>Connection</th><th>Modified</th><th></th></tr></thead>
        <tbody>
        {{#rows}}<tr{{#deleted}} class="record-deleted"{{/deleted}}><td><a href="{{href}}"><code>{{key}}</code></a></td><td>{{title}}</td><td>{{#connection}}{{#linked}}<a href="{{href}}">{{name}}</a>{{/linked}}{{^linked}}<code>{{id}}</code>{{/linked}}{{/connection}}</td><td>{{modified}}</td><td>{{#deleted}}<span class="deleted">deleted</span>{{/deleted}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        </div>
        {{/hasRows}}
        <p class="pages">{{#previous}}<a rel="prev" href="{{previous}}">‹ previous</a>{{/previous}} {{#next}}<a rel="next" href="{{next}}">next ›</a>{{/next}}</p>
        {{/error}}
        """

    static let record = """
        <p class="crumbs"><a href="/dashboard/records?resource={{resourcePath}}">Records</a> › {{resource}}</p>
        <h1>{{title}} <code class="vendor">{{key}}</code>{{#deleted}} <span class="deleted">deleted</span>{{/deleted}}</h1>
        <section class="card">
        <dl>
        <dt>{{keyField}}</dt><dd><code>{{key}}</code></dd>
        {{#sourceKey}}<dt>{{sourceKeyField}}</dt><dd><code>{{sourceKey}}</code>{{#sourceSystem}} at {{sourceSystem}}{{/sourceSystem}}</dd>{{/sourceKey}}
        <dt>Connection</dt><dd>{{#connection}}{{#linked}}<a href="{{href}}">{{name}}</a>{{/linked}}{{^linked}}<code>{{id}}</code>{{/linked}}{{/connection}}{{^connection}}—{{/connection}}</dd>
        <dt>Modified</dt><dd>{{modified}}</dd>
        <dt>First stored</dt><dd>{{created}}</dd>
        <dt>Deleted</dt><dd class="record-deleted-state">{{#deleted}}yes{{/deleted}}{{^deleted}}no{{/deleted}}</dd>
        </dl>
        </section>
        <h2>Changes</h2>
        {{^hasEvents}}<p class="muted">No changes in the change feed.</p>{{/hasEvents}}
        {{#hasEvents}}
        <div class="scroll">
        <table class="events">
        <thead><tr><th>When</th><th>Change</th><th>Connection</th></tr></thead>
        <tbody>
        {{#events}}<tr class="change-{{change}}"><td>{{time}}</td><td>{{change}}</td><td>{{#connection}}{{#linked}}<a href="{{href}}">{{name}}</a>{{/linked}}{{^linked}}<code>{{id}}</code>{{/linked}}{{/connection}}</td></tr>
        {{/events}}
        </tbody>
        </table>
        </div>
        {{/hasEvents}}
        <h2>Fields</h2>
        <div class="scroll">
        <table class="fields">
        <tbody>
        {{#fields}}<tr><th>{{name}}</th><td>{{value}}</td></tr>
        {{/fields}}
        </tbody>
        </table>
        </div>
        <h2>Vendor payload</h2>
        {{#raw}}<pre class="payload">{{raw}}</pre>{{/raw}}
        {{^raw}}<p class="muted">No payload was kept.</p>{{/raw}}
        """

    static let clients = """
        <h1>API clients</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#created}}
        <section class="card secret">
        <h2>Created {{name}}</h2>
        <p>Its secret is shown this once; store it now.</p>
        <dl><dt>Client id</dt><dd><code>{{id}}</code></dd><dt>Secret</dt><dd><code class="secret-value">{{secret}}</code></dd></dl>
        </section>
        {{/created}}
        <div class="scroll">
        <table class="clients">
        <thead><tr><th>Name</th><th>Id</th><th>Scopes</th><th>Created</th><th></th></tr></thead>
        <tbody>
        {{#clients}}<tr><td>{{name}}{{#isMe}} (you){{/isMe}}{{^enabled}} (disabled){{/enabled}}</td><td><code>{{id}}</code></td><td><code>{{scopes}}</code></td><td>{{created}}</td><td>{{#mayRevoke}}<form method="post" action="/dashboard/clients/{{id}}/revoke"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit" data-confirm="Revoke this client? Its tokens and sessions stop working at once.">Revoke</button></form>{{/mayRevoke}}</td></tr>
        {{/clients}}
        </tbody>
        </table>
        </div>
        {{#mayCreate}}
        <h2>New client</h2>
        <form class="create" method="post" action="/dashboard/clients">
        <input type="hidden" name="form_token" value="{{formToken}}">
        <label>Name <input name="name" required></label>
        <label>Scopes <input name="scopes" required placeholder="contacts:read leads:write"></label>
        <button type="submit">Create</button>
        </form>
        {{/mayCreate}}
        """

    static let webhooks = """
        <h1>Webhooks</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#created}}
        <section class="card secret">
        <h2>Subscribed <code>{{id}}</code></h2>
        <p>Its signing secret is shown this once; store it now.</p>
        <p><code class="secret-value">{{secret}}</code></p>
        </section>
        {{/created}}
        {{^hasWebhooks}}<p class="muted">No subscriptions yet.</p>{{/hasWebhooks}}
        {{#hasWebhooks}}
        <div class="scroll">
        <table class="webhooks">
        <thead><tr><th>URL</th><th>Events</th><th>State</th><th>Sent up to</th><th>Dead letters</th><th></th></tr></thead>
        <tbody>
        {{#webhooks}}<tr><td><code>{{url}}</code>{{#description}}<br><span class="muted">{{description}}</span>{{/description}}</td><td><code>{{events}}</code></td><td>{{#enabled}}enabled{{/enabled}}{{^enabled}}disabled{{#disabledReason}}: {{disabledReason}}{{/disabledReason}}{{/enabled}}{{#lastError}}<br><span class="reason">{{lastError}}</span>{{/lastError}}</td><td class="number">{{lastSequence}}</td><td class="number">{{deadLetters}}</td><td>{{#mayWrite}}<div class="actions">{{#enabled}}<form method="post" action="/dashboard/webhooks/{{id}}/disable"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Disable</button></form>{{/enabled}}{{^enabled}}<form method="post" action="/dashboard/webhooks/{{id}}/enable"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit">Enable</button></form>{{/enabled}}<form method="post" action="/dashboard/webhooks/{{id}}/remove"><input type="hidden" name="form_token" value="{{formToken}}"><button type="submit" data-confirm="Remove this subscription? Nothing more is sent to it.">Remove</button></form></div>{{/mayWrite}}</td></tr>
        {{/webhooks}}
        </tbody>
        </table>
        </div>
        {{/hasWebhooks}}
        {{#mayWrite}}
        <h2>New subscription</h2>
        <form class="create" method="post" action="/dashboard/webhooks">
        <input type="hidden" name="form_token" value="{{formToken}}">
        <label>URL <input name="url" type="url" required placeholder="https://example.com/hooks"></label>
        <label>Events <input name="events" required value="*"></label>
        <label>Description <input name="description"></label>
        <button type="submit">Subscribe</button>
        </form>
        {{/mayWrite}}
        """

    static let message = """
        <section class="message">
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/dashboard">Back to the dashboard</a></p>
        </section>
        """
}
