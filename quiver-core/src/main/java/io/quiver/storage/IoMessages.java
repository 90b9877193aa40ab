package io.quiver.storage;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * What went wrong in an {@link IOException}, in words. The file-system exceptions of
 * {@code java.nio.file} carry the path as their message and the cause only in their type, so a
 * message built from {@code getMessage()} named the path twice and never said "permission denied".
 *
 * <pre>{@code
 * catch (IOException e) { throw new QuiverException(ErrorKind.IO, "cannot write " + file + ": " + IoMessages.describe(e, file), e); }
 * }</pre>
 */
public final class IoMessages {
    private IoMessages() {
    }

    /**
     * The cause of {@code e}; preceded by the path it names when that is not {@code named} (which
     * the caller's message already gives), for example "permission denied" or
     * "/data: permission denied" when creating {@code /data/store} failed at its parent.
     */
    public static String describe(IOException e, Path named) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String cause = cause(f);
            boolean same = named != null && Path.of(f.getFile()).equals(named);
            String other = f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")";
            return same && other.isEmpty() ? cause : f.getFile() + other + ": " + cause;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Whether {@code t} or a cause of it is the operating system's ENOSPC ("No space left on device"). */
    public static boolean noSpaceLeft(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    private static String cause(FileSystemException f) {
        String kind = switch (f) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or directory";
            case FileAlreadyExistsException x -> "already exists";
            case NotDirectoryException n -> "not a directory";
            case DirectoryNotEmptyException d -> "directory not empty";
            default -> null;
        };
        String reason = f.getReason();
        if (kind == null) {
            return reason != null ? reason : f.getClass().getSimpleName();
        }
        return reason == null || reason.equalsIgnoreCase(kind) ? kind : kind + " (" + reason + ")";
    }
}
