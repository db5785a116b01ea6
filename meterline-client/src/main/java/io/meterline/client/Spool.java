package io.meterline.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The append-only disk spool every recorded event goes through: segment files named by the global byte offset they
 * start at, records {@code [length][crc32][json]}, and a cursor file holding the offset up to which Meterline has
 * answered. Many producer threads append; one sender reads in order and commits after each answer. On open, the
 * events after the cursor are replayed; a torn record at the tail (the process died mid-write) is cut off.
 */
final class Spool implements AutoCloseable {

    private static final int HEADER = 8;
    private static final String SUFFIX = ".spool";
    private static final String CURSOR = "cursor";

    /** A spooled event and the offset just after it (what to commit once it is answered). */
    record Entry(byte[] payload, long end) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final FsyncPolicy fsync;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private final TreeMap<Long, FileChannel> segments = new TreeMap<>();
    private final FileChannel cursorFile;
    private final FileChannel lockFile;
    private final FileLock exclusive;

    private long writeOffset;
    private long readOffset;
    private long committedOffset;
    private long unread;
    private long pending;
    private long appendedTotal;
    private boolean dirty;
    private boolean closed;

    Spool(Path dir, long maxBytes, long segmentBytes, FsyncPolicy fsync) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.fsync = fsync;
        try {
            Files.createDirectories(dir);
            lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockFile.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by another client in this JVM
            }
            exclusive = lock;
            if (exclusive == null) {
                lockFile.close();
                throw new IllegalStateException("the spool " + dir + " is in use by another process");
            }
            cursorFile = FileChannel.open(dir.resolve(CURSOR), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the spool " + dir, e);
        }
    }

    private void recover() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().endsWith(SUFFIX)).toList()) {
                String name = file.getFileName().toString();
                long base = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
                segments.put(base, FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
        }
        long cursor = readCursor();
        if (segments.isEmpty()) {
            segments.put(cursor, openSegment(cursor));
        }
        committedOffset = Math.max(cursor, segments.firstKey());
        // scan what Meterline has not answered yet: count it, and cut a torn tail
        long offset = committedOffset;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (true) {
            Map.Entry<Long, FileChannel> segment = segments.floorEntry(offset);
            long position = offset - segment.getKey();
            if (position >= segment.getValue().size()) {
                Long next = segments.higherKey(segment.getKey());
                if (next == null) {
                    break;
                }
                offset = next;
                continue;
            }
            byte[] payload = readAt(segment.getValue(), position, header);
            if (payload == null) {
                segment.getValue().truncate(position);
                for (Long later : new ArrayList<>(segments.tailMap(segment.getKey(), false).keySet())) {
                    segments.remove(later).close();
                    Files.deleteIfExists(segmentPath(later));
                }
                break;
            }
            offset += HEADER + payload.length;
            pending++;
        }
        Map.Entry<Long, FileChannel> last = segments.lastEntry();
        writeOffset = last.getKey() + last.getValue().size();
        readOffset = committedOffset;
        unread = pending;
    }

    /** Appends one event; false when the spool is at its bound. */
    boolean tryAppend(byte[] payload) {
        lock.lock();
        try {
            return appendLocked(payload);
        } finally {
            lock.unlock();
        }
    }

    /** Appends one event, waiting for room while the spool is at its bound. */
    void append(byte[] payload) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!appendLocked(payload)) {
                drained.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean appendLocked(byte[] payload) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        long size = HEADER + payload.length;
        if (writeOffset - committedOffset + size > maxBytes && pending > 0) {
            return false;
        }
        try {
            Map.Entry<Long, FileChannel> segment = segments.lastEntry();
            if (segment.getValue().size() >= segmentBytes) {
                segments.put(writeOffset, openSegment(writeOffset));
                segment = segments.lastEntry();
            }
            CRC32 crc = new CRC32();
            crc.update(payload);
            ByteBuffer record = ByteBuffer.allocate((int) size).putInt(payload.length).putInt((int) crc.getValue())
                    .put(payload).flip();
            long position = writeOffset - segment.getKey();
            while (record.hasRemaining()) {
                position += segment.getValue().write(record, position);
            }
            if (fsync == FsyncPolicy.EVERY_EVENT) {
                segment.getValue().force(false);
            } else {
                dirty = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the spool " + dir, e);
        }
        writeOffset += size;
        unread++;
        pending++;
        appendedTotal++;
        appended.signalAll();
        return true;
    }

    /**
     * The next events in order, at most {@code max}: waits up to {@code idle} for the first one, then up to
     * {@code linger} for more. Empty when none came.
     */
    List<Entry> next(int max, Duration linger, Duration idle) throws InterruptedException {
        long readFrom;
        long count;
        lock.lockInterruptibly();
        try {
            long idleNanos = idle.toNanos();
            while (unread == 0 && idleNanos > 0 && !closed) {
                idleNanos = appended.awaitNanos(idleNanos);
            }
            if (unread == 0) {
                return List.of();
            }
            long lingerNanos = linger.toNanos();
            while (unread < max && lingerNanos > 0 && !closed) {
                lingerNanos = appended.awaitNanos(lingerNanos);
            }
            readFrom = readOffset;
            count = Math.min(unread, max);
        } finally {
            lock.unlock();
        }
        // below writeOffset the files do not change: read without the lock
        List<Entry> entries = new ArrayList<>((int) count);
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        long offset = readFrom;
        try {
            while (entries.size() < count) {
                Map.Entry<Long, FileChannel> segment;
                lock.lock();
                try {
                    segment = segments.floorEntry(offset);
                    Long next = segments.higherKey(segment.getKey());
                    if (next != null && offset - segment.getKey() >= segment.getValue().size()) {
                        offset = next;
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                byte[] payload = readAt(segment.getValue(), offset - segment.getKey(), header);
                if (payload == null) {
                    throw new IOException("corrupt spool record at offset " + offset);
                }
                offset += HEADER + payload.length;
                entries.add(new Entry(payload, offset));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lock.lock();
        try {
            readOffset = offset;
            unread -= entries.size();
        } finally {
            lock.unlock();
        }
        return entries;
    }

    /** Marks everything before {@code end} answered: persisted in the cursor file, whole segments deleted. */
    void commit(long end, int events) {
        lock.lock();
        try {
            committedOffset = end;
            pending -= events;
            writeCursor(end);
            while (segments.size() > 1) {
                Map.Entry<Long, FileChannel> first = segments.firstEntry();
                long nextBase = segments.higherKey(first.getKey());
                if (nextBase > end) {
                    break;
                }
                segments.remove(first.getKey()).close();
                Files.deleteIfExists(segmentPath(first.getKey()));
            }
            drained.signalAll();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the spool " + dir, e);
        } finally {
            lock.unlock();
        }
    }

    /** Forces written events to the disk (the {@link FsyncPolicy#INTERVAL} tick). */
    void sync() {
        lock.lock();
        try {
            if (dirty) {
                segments.lastEntry().getValue().force(false);
                dirty = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    long pending() {
        lock.lock();
        try {
            return pending;
        } finally {
            lock.unlock();
        }
    }

    long pendingBytes() {
        lock.lock();
        try {
            return writeOffset - committedOffset;
        } finally {
            lock.unlock();
        }
    }

    long appendedTotal() {
        lock.lock();
        try {
            return appendedTotal;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every event is answered, at most {@code timeout}. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            long nanos;
            while (pending > 0 && (nanos = deadline - System.nanoTime()) > 0 && !closed) {
                drained.awaitNanos(nanos);
            }
            return pending == 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            appended.signalAll();
            drained.signalAll();
            if (fsync != FsyncPolicy.NEVER && dirty) {
                segments.lastEntry().getValue().force(false);
            }
            for (FileChannel channel : segments.values()) {
                channel.close();
            }
            cursorFile.close();
            exclusive.release();
            lockFile.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    private static byte[] readAt(FileChannel channel, long position, ByteBuffer header) throws IOException {
        header.clear();
        if (readFully(channel, header, position) < HEADER) {
            return null;
        }
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length < 0 || position + HEADER + length > channel.size()) {
            return null;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (readFully(channel, payload, position + HEADER) < length) {
            return null;
        }
        CRC32 check = new CRC32();
        check.update(payload.array());
        return (int) check.getValue() == crc ? payload.array() : null;
    }

    private static int readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + total);
            if (read < 0) {
                break;
            }
            total += read;
        }
        return total;
    }

    private long readCursor() throws IOException {
        if (cursorFile.size() == 0) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) cursorFile.size());
        readFully(cursorFile, buffer, 0);
        String text = new String(buffer.array(), StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? 0 : Long.parseLong(text);
    }

    private void writeCursor(long offset) throws IOException {
        // fixed width: one small positional write, never a partly old, partly new number
        ByteBuffer buffer = ByteBuffer.wrap(String.format("%020d%n", offset).getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            cursorFile.write(buffer, buffer.position());
        }
        if (fsync == FsyncPolicy.EVERY_EVENT) {
            cursorFile.force(false);
        }
    }

    private FileChannel openSegment(long base) throws IOException {
        return FileChannel.open(segmentPath(base), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private Path segmentPath(long base) {
        return dir.resolve(String.format("%020d%s", base, SUFFIX));
    }
}
