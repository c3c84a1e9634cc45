package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// CheckFile reports whether the database path still names the file this
// DB opened. A file deleted or replaced underneath a running process keeps
// taking writes through the open descriptors, into an inode nobody will
// open again, so queries alone cannot tell.
func (db *DB) CheckFile() error {
	if db.file == nil {
		return nil
	}
	fi, err := os.Stat(db.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: %s was deleted while in use; writes since then are lost at exit", db.path)
	case err != nil:
		return fmt.Errorf("sqlite: %w", err)
	case !os.SameFile(db.file, fi):
		return fmt.Errorf("sqlite: %s was replaced by another file while in use; restart to open it", db.path)
	}
	return nil
}
