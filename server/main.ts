import { parseConfig } from './config';
import { startServer } from './startServer';

/** Exit code for bad command-line input (as in most Unix tools). */
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    console.log(parsed.text);
    return;
  }
  if (parsed.kind === 'error') {
    console.error(`mesh-coordinator: ${parsed.message}\nRun with --help to see the options.`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const server = await startServer(parsed.config);
  if (!server.distFound) {
    console.error(
      `mesh-coordinator: warning: ${server.distDir} does not exist; run \`npm run build\` ` +
        'to serve the app (signaling works without it).',
    );
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Ready for signals before saying so: a supervisor may stop it as soon as it reads the line.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const warning of server.warnings) console.error(`mesh-coordinator: warning: ${warning}`);
  console.log(`mesh-coordinator listening on ${server.url}`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`mesh-coordinator: could not start: ${message}`);
  process.exit(1);
});
