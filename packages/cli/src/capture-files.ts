// Capture files on disk: the dataplane's writers emit bytes to a sink; the CLI owns the paths.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapngWriter, PcapWriter, type CaptureFileWriter, type PcapWriterOptions } from '@vnetsim/dataplane';

/** Bytes kept of each captured packet unless --snaplen says otherwise: headers and a little payload, so 100,000 packets make a few MB. */
export const DEFAULT_SNAPLEN = 128;

/** A pcap (or, `ng`, pcapng) file on disk: writes go straight to the file; call close() at the end. */
export function openPcapFile(path: string, options: Omit<PcapWriterOptions, 'sink'> = {}, ng = false): CaptureFileWriter & { close(): void } {
  const fd = openSync(path, 'w');
  const sink = (chunk: Uint8Array) => void writeSync(fd, chunk);
  const base: CaptureFileWriter = ng ? new PcapngWriter({ ...options, sink }) : new PcapWriter({ ...options, sink });
  const w = base as CaptureFileWriter & { close(): void };
  w.close = () => {
    w.flush();
    closeSync(fd);
  };
  return w;
}
