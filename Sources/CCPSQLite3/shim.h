#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is a macro that casts -1 to a function pointer, which Swift cannot
/// import. Binding text or blobs with it makes SQLite copy the bytes before the call returns,
/// so Swift may pass a temporary buffer.
static inline sqlite3_destructor_type ccp_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}
