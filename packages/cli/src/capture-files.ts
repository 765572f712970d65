// Capture files on disk: the dataplane's writers emit bytes to a sink; the CLI owns the paths.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter, type PcapWriterOptions } from '@vnetsim/dataplane';

/** A pcap file on disk: writes go straight to the file; call close() at the end. */
export function openPcapFile(path: string, options: Omit<PcapWriterOptions, 'sink'> = {}): PcapWriter & { close(): void } {
  const fd = openSync(path, 'w');
  const w = new PcapWriter({ ...options, sink: (chunk) => void writeSync(fd, chunk) }) as PcapWriter & { close(): void };
  w.close = () => {
    w.flush();
    closeSync(fd);
  };
  return w;
}
