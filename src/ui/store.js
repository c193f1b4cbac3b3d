// The page's session in the browser's IndexedDB (src/ui/store.rs): one record, the session a
// reload restores. Nothing leaves the browser.
const DATABASE = "vq-lab";
const STORE = "session";
const KEY = "current";

let opened = null;

// The database, opened once (and again after a failure).
function database() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("another tab holds this site's storage"));
    });
    opened.catch(() => { opened = null; });
  }
  return opened;
}

// Runs `body` on the store in one transaction; resolves to its request's result once the
// transaction has committed.
async function transaction(mode, body) {
  const db = await database();
  const tx = db.transaction(STORE, mode);
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("the transaction was aborted"));
  });
  const request = body(tx.objectStore(STORE));
  const result = await new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await committed;
  return result;
}

export function loadSession() {
  return transaction("readonly", (store) => store.get(KEY));
}

export async function saveSession(value) {
  await transaction("readwrite", (store) => store.put(value, KEY));
}

export async function clearSession() {
  await transaction("readwrite", (store) => store.delete(KEY));
}
