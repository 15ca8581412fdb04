//! Filesystems that fail for real: a small tmpfs of a test's own to fill up (a full disk),
//! and a read-only bind mount over a file or folder (a database that cannot be written).
//! File permissions would not do: tests run as root in CI, and root writes through them.
//!
//! Mounting needs root (CAP_SYS_ADMIN). Where it is refused, `mount` says why, and the
//! tests that need it print that and skip.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of a given size on a temporary folder, unmounted when dropped.
pub struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (as `mount` reads it: `4m`), or says why it cannot.
    pub fn mount(size: &str) -> Result<SmallDisk, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let options = format!("size={size}");
        mount(&["-t", "tmpfs", "-o", &options, "tmpfs"], dir.path())?;
        Ok(SmallDisk { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Takes every free byte with a file of its own, until the filesystem reports no
    /// space; `Filler::free` gives it back.
    pub fn fill(&self) -> Filler {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("create the filler");
        let chunk = vec![0xA5_u8; 64 * 1024];
        loop {
            match file.write_all(&chunk) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::StorageFull => break,
                Err(error) => panic!("filling the small disk: {error}"),
            }
        }
        Filler { path }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        unmount(self.path());
    }
}

/// The file that took the free space.
pub struct Filler {
    path: PathBuf,
}

impl Filler {
    pub fn free(self) {
        std::fs::remove_file(&self.path).expect("remove the filler");
    }
}

/// A file or folder made read-only where it is, by binding it onto itself read-only: an
/// open for writing fails with EROFS, for root too. Undone when dropped.
pub struct ReadOnlyBind {
    path: PathBuf,
}

impl ReadOnlyBind {
    pub fn new(path: &Path) -> Result<ReadOnlyBind, String> {
        mount(&["--bind"], path).and_then(|()| {
            let bind = ReadOnlyBind {
                path: path.to_owned(),
            };
            mount(&["-o", "remount,bind,ro"], path)?;
            Ok(bind)
        })
    }
}

impl Drop for ReadOnlyBind {
    fn drop(&mut self) {
        unmount(&self.path);
    }
}

/// `mount <args> <target>` (a bind mount is its own source).
fn mount(args: &[&str], target: &Path) -> Result<(), String> {
    let mut command = Command::new("mount");
    command.args(args);
    if args == ["--bind"] {
        command.arg(target);
    }
    let output = command
        .arg(target)
        .output()
        .map_err(|e| format!("could not run mount: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`mount {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}

/// Unmounts, lazily if a file is still open there, so the folder can be removed.
fn unmount(target: &Path) {
    let unmounted = Command::new("umount").arg(target).status();
    if !unmounted.is_ok_and(|status| status.success()) {
        let _ = Command::new("umount").arg("-l").arg(target).status();
    }
}
