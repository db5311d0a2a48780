/**
 * Child-process entry of a kafkajs group member: argv[2] is the MemberOptions JSON; every
 * MemberEvent is one JSON line on stdout. A line 'leave' on stdin disconnects and exits; the test
 * SIGKILLs the process to make a member vanish without LeaveGroup.
 */
import readline from 'node:readline';
import { startMember, type MemberOptions } from './kafkajs-member';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as MemberOptions;
  const member = await startMember(options, (event) => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  });
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() !== 'leave') return;
    void member
      .leave()
      .catch(() => undefined)
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
