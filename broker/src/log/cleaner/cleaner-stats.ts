/**
 * Kafka's CleanerStats: what one cleaning pass read, kept and wrote, and how long the two phases
 * (building the offset map, recopying segments) took; logged after every pass as Kafka logs it.
 */
import type { Time } from '../../common/time';

const MB = 1024 * 1024;

export class CleanerStats {
  bytesRead = 0;
  bytesWritten = 0;
  mapBytesRead = 0;
  mapMessagesRead = 0;
  messagesRead = 0;
  invalidMessagesRead = 0;
  messagesWritten = 0;
  bufferUtilization = 0;
  readonly startTime: number;
  mapCompleteTime = -1;
  endTime = -1;

  constructor(private readonly time: Time) {
    this.startTime = time.hiResMilliseconds();
  }

  readMessages(messagesRead: number, bytesRead: number): void {
    this.messagesRead += messagesRead;
    this.bytesRead += bytesRead;
  }

  invalidMessage(): void {
    this.invalidMessagesRead += 1;
  }

  recopyMessages(messagesWritten: number, bytesWritten: number): void {
    this.messagesWritten += messagesWritten;
    this.bytesWritten += bytesWritten;
  }

  indexMessagesRead(size: number): void {
    this.mapMessagesRead += size;
  }

  indexBytesRead(size: number): void {
    this.mapBytesRead += size;
  }

  indexDone(): void {
    this.mapCompleteTime = this.time.hiResMilliseconds();
  }

  allDone(): void {
    this.endTime = this.time.hiResMilliseconds();
  }

  get elapsedSecs(): number {
    return Math.max(0, (this.endTime < 0 ? this.time.hiResMilliseconds() : this.endTime) - this.startTime) / 1000;
  }

  get elapsedIndexSecs(): number {
    return Math.max(0, this.mapCompleteTime - this.startTime) / 1000;
  }

  /** Log bytes processed per second over the whole pass (Kafka's "MB/sec" line). */
  get mbPerSec(): number {
    return this.elapsedSecs > 0 ? this.bytesRead / MB / this.elapsedSecs : 0;
  }

  /** Kafka's recordStats lines, as one message plus fields for the JSON log. */
  summary(cleanerId: number, logName: string, from: number, to: number): { message: string; fields: Record<string, number | string> } {
    const mb = (bytes: number): string => (bytes / MB).toFixed(1);
    const total = this.elapsedSecs;
    const index = this.elapsedIndexSecs;
    const clean = Math.max(total - index, 0);
    const rate = (bytes: number, secs: number): string => (secs > 0 ? (bytes / MB / secs).toFixed(1) : 'inf');
    const pct = (part: number, whole: number): string => (whole > 0 ? ((100 * part) / whole).toFixed(1) : '0.0');
    const message =
      `Log cleaner thread ${cleanerId} cleaned log ${logName} (dirty section = [${from}, ${to}])\n` +
      `\t${mb(this.bytesRead)} MB of log processed in ${total.toFixed(1)} seconds (${rate(this.bytesRead, total)} MB/sec).\n` +
      `\tIndexed ${mb(this.mapBytesRead)} MB in ${index.toFixed(1)} seconds (${rate(this.mapBytesRead, index)} Mb/sec, ${pct(index, total)}% of total time)\n` +
      `\tBuffer utilization: ${(100 * this.bufferUtilization).toFixed(1)}%\n` +
      `\tCleaned ${mb(this.bytesRead)} MB in ${clean.toFixed(1)} seconds (${rate(this.bytesRead, clean)} Mb/sec, ${pct(clean, total)}% of total time)\n` +
      `\tStart size: ${mb(this.bytesRead)} MB (${this.messagesRead} messages)\n` +
      `\tEnd size: ${mb(this.bytesWritten)} MB (${this.messagesWritten} messages)\n` +
      `\t${pct(this.bytesRead - this.bytesWritten, this.bytesRead)}% size reduction (${pct(this.messagesRead - this.messagesWritten, this.messagesRead)}% fewer messages)`;
    return {
      message,
      fields: {
        log: logName,
        from,
        to,
        bytesRead: this.bytesRead,
        bytesWritten: this.bytesWritten,
        mapBytesRead: this.mapBytesRead,
        messagesRead: this.messagesRead,
        messagesWritten: this.messagesWritten,
        messagesDropped: this.messagesRead - this.messagesWritten,
        invalidMessagesRead: this.invalidMessagesRead,
        elapsedSecs: Number(total.toFixed(3)),
        elapsedIndexSecs: Number(index.toFixed(3)),
        mbPerSec: Number(this.mbPerSec.toFixed(1)),
        bufferUtilization: Number(this.bufferUtilization.toFixed(3)),
      },
    };
  }
}
