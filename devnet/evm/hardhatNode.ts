// Runs `hardhat node` (Hardhat 2.29, EDR) as a child process: one local EVM chain per call.
//
// - Port 0 by default: the node binds a free port itself and prints it, so parallel test workers
//   never race for a port.
// - The config lives in a fresh temp directory (removed on stop); nothing is written to the project.
// - No network: telemetry prompt, banner and version checks are off (CI=true, non-TTY stdio).
// - No orphans: the child runs in its own process group that stop() signals as a whole; a
//   launcher inside the child exits when its stdin pipe from us closes (our process died, even by
//   SIGKILL) or when our pid goes away, and a process 'exit' hook SIGKILLs the group.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

export interface HardhatNodeOptions {
  /** Default 31337. */
  chainId?: number
  /** Default 0: a free port chosen by the OS. */
  port?: number
  /** Default 127.0.0.1. */
  hostname?: string
  /** Block gas limit; default 60,000,000 (Hardhat's). The per-transaction cap stays 2^24. */
  blockGasLimit?: number
  /** Number of funded, unlocked accounts (Hardhat's default mnemonic). Default 20. */
  accounts?: number
  /** Log every JSON-RPC request and mined transaction (Hardhat's node logging). Default false. */
  logRequests?: boolean
  /** Receives every line the node prints. Default: kept in a small ring buffer only. */
  onLog?: (line: string) => void
  /** Default 30 s. */
  startTimeoutMs?: number
}

export interface HardhatNode {
  rpcUrl: string
  chainId: number
  /** Child process id (also its process group id). */
  pid: number
  /** The node's most recent output lines, for diagnostics. */
  recentLog(): string[]
  /** Stops the node (SIGTERM to the process group, SIGKILL after 3 s). Idempotent. */
  stop(): Promise<void>
}

const READY_RE = /Started HTTP and WebSocket JSON-RPC server at (http:\/\/[^\s/]+)\//
const ANSI_RE = /\x1b\[[0-9;]*m/g
const LOG_LINES_KEPT = 200

function hardhatPaths(): { cli: string; installRoot: string } {
  const pkgJson = require.resolve('hardhat/package.json', { paths: [__dirname, process.cwd()] })
  const pkgDir = dirname(pkgJson)
  return {
    cli: join(pkgDir, 'internal', 'cli', 'cli.js'),
    // the directory whose node_modules holds hardhat: Hardhat refuses to run unless cwd resolves to the same install
    installRoot: resolve(pkgDir, '..', '..'),
  }
}

function launcherSource(cliPath: string): string {
  return `'use strict';
// Exit with the parent: stdin is a pipe from the parent, it ends when the parent dies.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
const parent = Number(process.env.TMS_HARDHAT_PARENT_PID);
setInterval(() => { try { process.kill(parent, 0); } catch { process.exit(0); } }, 1000).unref();
process.on('SIGTERM', () => process.exit(0));
// This directory holds only the config and this file; remove it however we exit.
process.on('exit', () => { try { require('node:fs').rmSync(__dirname, { recursive: true, force: true }); } catch {} });
require(${JSON.stringify(cliPath)});
`
}

function configSource(chainId: number, blockGasLimit: number, accounts: number, logging: boolean, root: string): string {
  const config = {
    networks: {
      hardhat: {
        chainId,
        loggingEnabled: logging,
        blockGasLimit,
        mining: { auto: true, interval: 0 },
        accounts: { count: accounts },
      },
    },
    // keep Hardhat's artifacts/cache lookups inside the temp dir
    paths: {
      root,
      sources: join(root, 'sources'),
      artifacts: join(root, 'artifacts'),
      cache: join(root, 'cache'),
      tests: join(root, 'tests'),
    },
  }
  return `module.exports = ${JSON.stringify(config, null, 2)};\n`
}

async function rpc(url: string, method: string, params: unknown[] = [], timeoutMs = 2000): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

const live = new Map<ChildProcess, string>() // child -> its temp dir
let exitHookInstalled = false

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Synchronous last resort when this process exits with nodes still running.
  process.on('exit', () => {
    for (const [child, dir] of live) {
      killGroup(child, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

/** Starts a local hardhat node and resolves once it answers JSON-RPC with the requested chain id. */
export async function startHardhatNode(opts: HardhatNodeOptions = {}): Promise<HardhatNode> {
  const chainId = opts.chainId ?? 31337
  const hostname = opts.hostname ?? '127.0.0.1'
  const port = opts.port ?? 0
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000
  const { cli, installRoot } = hardhatPaths()

  const dir = mkdtempSync(join(tmpdir(), `tms-hardhat-${chainId}-`))
  const configFile = join(dir, 'hardhat.config.js')
  const launcher = join(dir, 'launcher.js')
  writeFileSync(configFile, configSource(chainId, opts.blockGasLimit ?? 60_000_000, opts.accounts ?? 20, opts.logRequests ?? false, dir))
  writeFileSync(launcher, launcherSource(cli))

  const child = spawn(process.execPath, [launcher, 'node', '--hostname', hostname, '--port', String(port), '--config', configFile], {
    cwd: installRoot,
    detached: true, // own process group, so stop() reaches anything the node spawns
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CI: 'true',
      HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
      HARDHAT_EXPERIMENTAL_ALLOW_NON_LOCAL_INSTALLATION: 'true',
      HARDHAT_HIDE_SOLIDITY_SURVEY_MESSAGE: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      TMS_HARDHAT_PARENT_PID: String(process.pid),
    },
  })
  installExitHook()
  live.set(child, dir)

  const recent: string[] = []
  let exited = false
  let exitInfo = ''
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exited = true
      exitInfo = signal ? `signal ${signal}` : `code ${code}`
      live.delete(child)
      res()
    })
  })

  let onReady: ((url: string) => void) | undefined
  const readyUrl = new Promise<string>((res) => (onReady = res))
  const onLine = (line: string): void => {
    const clean = line.replace(ANSI_RE, '')
    recent.push(clean)
    if (recent.length > LOG_LINES_KEPT) recent.shift()
    opts.onLog?.(clean)
    const m = READY_RE.exec(clean)
    if (m && onReady) {
      onReady(m[1] as string)
      onReady = undefined
    }
  }
  // Always drain both pipes: a node with request logging on would block on a full pipe.
  for (const stream of [child.stdout, child.stderr]) {
    let buf = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      buf += chunk
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    })
  }
  child.stdin?.on('error', () => undefined)
  // Do not keep our event loop alive for the node's sake.
  child.unref()
  ;(child.stdout as unknown as { unref?: () => void } | null)?.unref?.()
  ;(child.stderr as unknown as { unref?: () => void } | null)?.unref?.()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    if (!stopped) {
      stopped = (async () => {
        if (!exited) {
          killGroup(child, 'SIGTERM')
          const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000)
          await exitPromise
          clearTimeout(timer)
        }
        // the launcher may have exited before a grandchild; make sure the group is gone
        killGroup(child, 'SIGKILL')
        rmSync(dir, { recursive: true, force: true })
      })()
    }
    return stopped
  }

  const fail = async (reason: string): Promise<never> => {
    await stop()
    throw new Error(`hardhat node (chain ${chainId}) ${reason}\n--- last output ---\n${recent.slice(-30).join('\n')}`)
  }

  const deadline = Date.now() + startTimeoutMs
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), startTimeoutMs)
  })
  const first = await Promise.race([readyUrl, exitPromise.then(() => 'exited' as const), timeout])
  clearTimeout(timer)
  if (first === 'timeout') return fail(`did not start within ${startTimeoutMs} ms`)
  if (first === 'exited') return fail(`exited during start (${exitInfo})`)
  const rpcUrl = first

  // The server prints its address once listening; confirm it answers and serves the right chain.
  for (;;) {
    try {
      const id = Number(await rpc(rpcUrl, 'eth_chainId'))
      if (id !== chainId) return fail(`answers with chain id ${id}, expected ${chainId}`)
      break
    } catch (err) {
      if (exited) return fail(`exited during start (${exitInfo})`)
      if (Date.now() > deadline) return fail(`does not answer JSON-RPC: ${(err as Error).message}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  return {
    rpcUrl,
    chainId,
    pid: child.pid as number,
    recentLog: () => [...recent],
    stop,
  }
}
