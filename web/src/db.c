/* pa_db — schema, inserts and the feed query over SQLite. */
#include "db.h"

#include "text.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { STMT_CACHE = 128 }; /* distinct statements one connection keeps (open addressing) */

struct pa_db {
  sqlite3 *h;
  sqlite3_stmt *images; /* prepared on first use, kept for the connection's life */
  struct {
    const char *sql;
    sqlite3_stmt *st;
  } cache[STMT_CACHE];
  char err[256];
};

/* Schema versions in order; migrations[i] takes user_version i to i + 1.
 * STRICT tables make SQLite enforce the declared types. */
static const char *const migrations[PA_DB_SCHEMA_VERSION] = {
    "CREATE TABLE media ("
    "  hash TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),"
    "  ext TEXT NOT NULL CHECK (ext IN ('jpg', 'png')),"
    "  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 16384),"
    "  height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 16384),"
    "  bytes INTEGER NOT NULL CHECK (bytes > 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  handle TEXT NOT NULL UNIQUE CHECK (length(handle) BETWEEN 1 AND 30),"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),"
    "  bio TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 500),"
    "  avatar TEXT REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE pets ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),"
    "  species TEXT NOT NULL CHECK (length(species) BETWEEN 1 AND 40),"
    "  breed TEXT NOT NULL DEFAULT '' CHECK (length(breed) <= 80),"
    "  bio TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 500),"
    "  avatar TEXT REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX pets_owner ON pets(owner_id);"
    "CREATE TABLE posts ("
    "  id INTEGER PRIMARY KEY,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  caption TEXT NOT NULL CHECK (length(caption) <= 2200),"
    "  like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),"
    "  comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    /* The feed walks this index backwards from the cursor. */
    "CREATE INDEX posts_feed ON posts(created_at, id);"
    "CREATE INDEX posts_author ON posts(author_id);"
    "CREATE INDEX posts_pet ON posts(pet_id);"
    "CREATE TABLE post_images ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  alt TEXT NOT NULL DEFAULT '' CHECK (length(CAST(alt AS BLOB)) <= 300),"
    "  PRIMARY KEY (post_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX post_images_media ON post_images(media);",

    /* 2: accounts, sessions, the social graph, stories, reels, uploads of
     * any kind, sponsorship and ranking vectors. media is rebuilt because
     * SQLite cannot change a CHECK (foreign keys are off while migrating). */
    "CREATE TABLE media_v2 ("
    "  hash TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),"
    "  ext TEXT NOT NULL CHECK (ext IN ('jpg', 'png', 'webp', 'mp4', 'webm')),"
    "  width INTEGER CHECK (width IS NULL OR width BETWEEN 1 AND 16384),"
    "  height INTEGER CHECK (height IS NULL OR height BETWEEN 1 AND 16384),"
    "  bytes INTEGER NOT NULL CHECK (bytes > 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "INSERT INTO media_v2 SELECT hash, ext, width, height, bytes, created_at FROM media;"
    "DROP TABLE media;"
    "ALTER TABLE media_v2 RENAME TO media;"
    "ALTER TABLE users ADD COLUMN email TEXT CHECK (email IS NULL OR length(email) <= 254);"
    "ALTER TABLE users ADD COLUMN pw_hash TEXT;"
    "CREATE UNIQUE INDEX users_email ON users(email COLLATE NOCASE) WHERE email IS NOT NULL;"
    "ALTER TABLE pets ADD COLUMN birth_date TEXT CHECK (birth_date IS NULL OR"
    "  birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]');"
    "CREATE TABLE uploads ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (user_id, media)"
    ") STRICT;"
    "CREATE INDEX uploads_media ON uploads(media);"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE advertisers (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;"
    "CREATE TABLE campaigns ("
    "  id INTEGER PRIMARY KEY,"
    "  advertiser_id INTEGER NOT NULL REFERENCES advertisers(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL"
    ") STRICT;"
    "ALTER TABLE posts ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL;"
    "CREATE TABLE post_pets ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (post_id, pet_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX post_pets_pet ON post_pets(pet_id, post_id);"
    "INSERT INTO post_pets SELECT id, pet_id FROM posts;"
    "CREATE TABLE post_tags ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  tag TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 80),"
    "  PRIMARY KEY (post_id, tag)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX post_tags_tag ON post_tags(tag);"
    "CREATE TABLE likes ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (post_id, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX likes_user ON likes(user_id, post_id);"
    /* Counters change in the same statement as the rows they count. */
    "CREATE TRIGGER likes_up AFTER INSERT ON likes BEGIN"
    "  UPDATE posts SET like_count = like_count + 1 WHERE id = NEW.post_id; END;"
    "CREATE TRIGGER likes_down AFTER DELETE ON likes BEGIN"
    "  UPDATE posts SET like_count = max(like_count - 1, 0) WHERE id = OLD.post_id; END;"
    "CREATE TABLE comments ("
    "  id INTEGER PRIMARY KEY,"
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  parent_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2200),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX comments_post ON comments(post_id, parent_id, created_at, id);"
    "CREATE INDEX comments_parent ON comments(parent_id);"
    "CREATE INDEX comments_author ON comments(author_id);"
    "CREATE TRIGGER comments_up AFTER INSERT ON comments BEGIN"
    "  UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id; END;"
    "CREATE TRIGGER comments_down AFTER DELETE ON comments BEGIN"
    "  UPDATE posts SET comment_count = max(comment_count - 1, 0) WHERE id = OLD.post_id; END;"
    "CREATE TABLE follows ("
    "  follower_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  followee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (follower_id, followee_id),"
    "  CHECK (follower_id <> followee_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX follows_followee ON follows(followee_id, created_at);"
    "CREATE TABLE pet_follows ("
    "  follower_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (follower_id, pet_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX pet_follows_pet ON pet_follows(pet_id);"
    "CREATE TABLE stories ("
    "  id INTEGER PRIMARY KEY,"
    "  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX stories_expiry ON stories(expires_at);"
    "CREATE INDEX stories_pet ON stories(pet_id, created_at);"
    "CREATE TABLE story_views ("
    "  story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (story_id, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX story_views_user ON story_views(user_id);"
    "CREATE TABLE reels ("
    "  id INTEGER PRIMARY KEY,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  video TEXT NOT NULL REFERENCES media(hash),"
    "  poster TEXT NOT NULL REFERENCES media(hash),"
    "  video_alt TEXT REFERENCES media(hash)," /* the same clip in another format */
    "  caption TEXT NOT NULL CHECK (length(caption) <= 2200),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX reels_feed ON reels(created_at, id);"
    "CREATE TABLE post_vectors ("
    "  post_id INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,"
    "  vec BLOB NOT NULL CHECK (length(vec) = 256)"
    ") STRICT;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;",
    /* 3: notifications of likes, comments and follows, written by triggers in
     * the same statement as the action (and taken back with it: an unlike
     * removes its notification). Nobody is notified of their own actions.
     * What existed before comes in as already read. */
    "CREATE TABLE notifications ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  actor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'follow', 'pet_follow')),"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX notifications_list ON notifications(user_id, created_at, id);"
    "CREATE INDEX notifications_unread ON notifications(user_id) WHERE read = 0;"
    "CREATE INDEX notifications_actor ON notifications(actor_id);"
    "CREATE INDEX notifications_post ON notifications(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notifications_pet ON notifications(pet_id) WHERE pet_id IS NOT NULL;"
    "CREATE INDEX notifications_comment ON notifications(comment_id)"
    "  WHERE comment_id IS NOT NULL;"
    "CREATE TRIGGER notify_like AFTER INSERT ON likes BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, created_at)"
    "  SELECT author_id, NEW.user_id, 'like', id, pet_id, NEW.created_at FROM posts"
    "   WHERE id = NEW.post_id AND author_id <> NEW.user_id; END;"
    "CREATE TRIGGER unnotify_like AFTER DELETE ON likes BEGIN"
    "  DELETE FROM notifications WHERE post_id = OLD.post_id AND actor_id = OLD.user_id"
    "   AND kind = 'like'; END;"
    "CREATE TRIGGER notify_comment AFTER INSERT ON comments BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, comment_id,"
    "   created_at)"
    "  SELECT author_id, NEW.author_id, 'comment', id, pet_id, NEW.id, NEW.created_at FROM posts"
    "   WHERE id = NEW.post_id AND author_id <> NEW.author_id; END;"
    "CREATE TRIGGER notify_follow AFTER INSERT ON follows BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, created_at)"
    "  VALUES (NEW.followee_id, NEW.follower_id, 'follow', NEW.created_at); END;"
    "CREATE TRIGGER unnotify_follow AFTER DELETE ON follows BEGIN"
    "  DELETE FROM notifications WHERE user_id = OLD.followee_id"
    "   AND actor_id = OLD.follower_id AND kind = 'follow'; END;"
    "CREATE TRIGGER notify_pet_follow AFTER INSERT ON pet_follows BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, pet_id, created_at)"
    "  SELECT owner_id, NEW.follower_id, 'pet_follow', id, NEW.created_at FROM pets"
    "   WHERE id = NEW.pet_id AND owner_id <> NEW.follower_id; END;"
    "CREATE TRIGGER unnotify_pet_follow AFTER DELETE ON pet_follows BEGIN"
    "  DELETE FROM notifications WHERE pet_id = OLD.pet_id AND actor_id = OLD.follower_id"
    "   AND kind = 'pet_follow'; END;"
    "INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, created_at, read)"
    "  SELECT p.author_id, l.user_id, 'like', p.id, p.pet_id, l.created_at, 1"
    "    FROM likes l JOIN posts p ON p.id = l.post_id WHERE p.author_id <> l.user_id;"
    "INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, comment_id,"
    "  created_at, read)"
    "  SELECT p.author_id, c.author_id, 'comment', p.id, p.pet_id, c.id, c.created_at, 1"
    "    FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.author_id <> c.author_id;"
    "INSERT INTO notifications (user_id, actor_id, kind, created_at, read)"
    "  SELECT followee_id, follower_id, 'follow', created_at, 1 FROM follows;"
    "INSERT INTO notifications (user_id, actor_id, kind, pet_id, created_at, read)"
    "  SELECT t.owner_id, f.follower_id, 'pet_follow', t.id, f.created_at, 1"
    "    FROM pet_follows f JOIN pets t ON t.id = f.pet_id WHERE t.owner_id <> f.follower_id;",
    /* 4: E2E chat (web/README.md, "Chat"): devices with their prekey bundles,
     * one-time prekeys handed out once, a sequence number per pair of users,
     * and the store-and-forward queue. Only ciphertext and routing metadata:
     * body is the opaque ratchet message, cleared once the recipient acks. */
    "CREATE TABLE chat_devices ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  identity BLOB NOT NULL CHECK (length(identity) = 32),"
    "  spk BLOB NOT NULL CHECK (length(spk) = 108),"
    "  spk_id INTEGER NOT NULL,"
    "  opk_next INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (user_id, identity)"
    ") STRICT;"
    "CREATE TABLE chat_prekeys ("
    "  device_id INTEGER NOT NULL REFERENCES chat_devices(id) ON DELETE CASCADE,"
    "  key_id INTEGER NOT NULL CHECK (key_id > 0),"
    "  key BLOB NOT NULL CHECK (length(key) = 32),"
    "  PRIMARY KEY (device_id, key_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE chat_convs ("
    "  lo INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  hi INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  last_seq INTEGER NOT NULL,"
    "  PRIMARY KEY (lo, hi)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX chat_convs_hi ON chat_convs(hi);"
    "CREATE TABLE chat_messages ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT," /* ids in acks never name a later row */
    "  sender_device INTEGER NOT NULL REFERENCES chat_devices(id) ON DELETE CASCADE,"
    "  recipient_device INTEGER NOT NULL REFERENCES chat_devices(id) ON DELETE CASCADE,"
    "  client_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  body BLOB,"
    "  created_at INTEGER NOT NULL,"
    "  delivered_at INTEGER,"
    "  UNIQUE (sender_device, recipient_device, client_id)"
    ") STRICT;"
    "CREATE INDEX chat_messages_inbox ON chat_messages(recipient_device, id)"
    "  WHERE body IS NOT NULL;"
    "CREATE INDEX chat_messages_receipts ON chat_messages(sender_device, id)"
    "  WHERE delivered_at IS NOT NULL;"
    /* Encrypted photos (crypto_secretstream; the key travels in the ratchet
     * message): opaque bytes under a random name. */
    "CREATE TABLE chat_attachments ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE CHECK (length(name) = 32 AND name NOT GLOB '*[^0-9a-f]*'),"
    "  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  data BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX chat_attachments_owner ON chat_attachments(owner_id);",
    /* 5: the ThumbHash placeholder of each image (base64, pa_thumbhash.h), NULL
     * for videos, WebP and images stored before it existed. */
    "ALTER TABLE media ADD COLUMN thumbhash TEXT"
    "  CHECK (thumbhash IS NULL OR length(thumbhash) BETWEEN 8 AND 36);",
    /* 6: a reply notifies the author of the comment it answers (kind 'reply',
     * comment_id the reply). One notification per reply and person: when the
     * answered comment is the post author's own, their 'reply' replaces the
     * 'comment' notify_comment would add. SQLite cannot alter a CHECK, so the
     * table is rebuilt the documented way (new table, copy, drop, rename;
     * sqlite.org/lang_altertable.html#otheralter) with its indexes. The
     * triggers on likes and follows name "notifications" in their bodies: the
     * rename runs with legacy_alter_table, so it leaves them as they are and
     * they find the new table under the old name. Replies that existed before
     * come in as the new rules would have written them (read, as in 3). */
    "CREATE TABLE notifications_new ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  actor_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('like', 'comment', 'reply', 'follow', 'pet_follow')),"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  comment_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "INSERT INTO notifications_new"
    "  SELECT n.id, n.user_id, n.actor_id,"
    "    CASE WHEN n.kind = 'comment' AND EXISTS (SELECT 1 FROM comments r"
    "      JOIN comments c ON c.id = r.parent_id WHERE r.id = n.comment_id"
    "      AND c.author_id = n.user_id) THEN 'reply' ELSE n.kind END,"
    "    n.post_id, n.pet_id, n.comment_id, n.created_at, n.read FROM notifications n;"
    "INSERT INTO notifications_new (user_id, actor_id, kind, post_id, pet_id, comment_id,"
    "  created_at, read)"
    "  SELECT c.author_id, r.author_id, 'reply', p.id, p.pet_id, r.id, r.created_at, 1"
    "    FROM comments r JOIN comments c ON c.id = r.parent_id JOIN posts p ON p.id = r.post_id"
    "   WHERE c.author_id <> r.author_id AND c.author_id <> p.author_id;"
    "DROP TABLE notifications;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE notifications_new RENAME TO notifications;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX notifications_list ON notifications(user_id, created_at, id);"
    "CREATE INDEX notifications_unread ON notifications(user_id) WHERE read = 0;"
    "CREATE INDEX notifications_actor ON notifications(actor_id);"
    "CREATE INDEX notifications_post ON notifications(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notifications_pet ON notifications(pet_id) WHERE pet_id IS NOT NULL;"
    "CREATE INDEX notifications_comment ON notifications(comment_id)"
    "  WHERE comment_id IS NOT NULL;"
    "DROP TRIGGER notify_comment;"
    "CREATE TRIGGER notify_comment AFTER INSERT ON comments BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, comment_id,"
    "   created_at)"
    "  SELECT p.author_id, NEW.author_id, 'comment', p.id, p.pet_id, NEW.id, NEW.created_at"
    "    FROM posts p WHERE p.id = NEW.post_id AND p.author_id <> NEW.author_id"
    "     AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = NEW.parent_id"
    "      AND c.author_id = p.author_id); END;"
    "CREATE TRIGGER notify_reply AFTER INSERT ON comments WHEN NEW.parent_id IS NOT NULL BEGIN"
    "  INSERT INTO notifications (user_id, actor_id, kind, post_id, pet_id, comment_id,"
    "   created_at)"
    "  SELECT c.author_id, NEW.author_id, 'reply', p.id, p.pet_id, NEW.id, NEW.created_at"
    "    FROM comments c JOIN posts p ON p.id = NEW.post_id"
    "   WHERE c.id = NEW.parent_id AND c.author_id <> NEW.author_id; END;",
    /* 7: chat device ids are never reused (AUTOINCREMENT). A device can now be
     * removed (DELETE /chat/devices/{d}); a peer still holding a ratchet
     * session for its id, or a socket or receipt naming it, must never reach a
     * new device under the same id, as a plain rowid would give the next one
     * when the removed device was the newest. Rebuilt the documented way (new
     * table, copy, drop, rename; foreign keys are off while migrating), and
     * chat_prekeys and chat_messages name it again once it has its name. */
    "CREATE TABLE chat_devices_new ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  identity BLOB NOT NULL CHECK (length(identity) = 32),"
    "  spk BLOB NOT NULL CHECK (length(spk) = 108),"
    "  spk_id INTEGER NOT NULL,"
    "  opk_next INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (user_id, identity)"
    ") STRICT;"
    "INSERT INTO chat_devices_new (id, user_id, identity, spk, spk_id, opk_next, created_at)"
    "  SELECT id, user_id, identity, spk, spk_id, opk_next, created_at FROM chat_devices;"
    "DROP TABLE chat_devices;"
    "ALTER TABLE chat_devices_new RENAME TO chat_devices;",
    /* 8: the media lifecycle (web/README.md, "Media"). An upload used by its
     * uploader's post, story, reel or avatar is attached (attached_at) and
     * from then on belongs to that use; an unused one is a draft, kept
     * PA_MEDIA_DRAFT_SECONDS. Triggers queue every hash that loses a
     * reference in media_unref, cascades included, so the collector checks
     * only those, each in a few index lookups (the indexes below). Uploads
     * already used by their uploader come in attached; every stored hash is
     * queued once, so the first collection removes what earlier versions
     * kept for nothing (a deleted post's images). upload_bytes counts each
     * person's uploaded bytes per UTC day (days since 1970-01-01). */
    "ALTER TABLE uploads ADD COLUMN attached_at INTEGER;"
    "UPDATE uploads SET attached_at = created_at WHERE"
    "  EXISTS (SELECT 1 FROM post_images i JOIN posts p ON p.id = i.post_id"
    "          WHERE i.media = uploads.media AND p.author_id = uploads.user_id)"
    "  OR EXISTS (SELECT 1 FROM stories s WHERE s.media = uploads.media"
    "             AND s.owner_id = uploads.user_id)"
    "  OR EXISTS (SELECT 1 FROM reels r WHERE r.author_id = uploads.user_id"
    "             AND uploads.media IN (r.video, r.poster, r.video_alt))"
    "  OR EXISTS (SELECT 1 FROM users u WHERE u.id = uploads.user_id AND u.avatar = uploads.media)"
    "  OR EXISTS (SELECT 1 FROM pets t WHERE t.owner_id = uploads.user_id"
    "             AND t.avatar = uploads.media);"
    "CREATE INDEX uploads_drafts ON uploads(created_at) WHERE attached_at IS NULL;"
    "CREATE INDEX users_avatar ON users(avatar) WHERE avatar IS NOT NULL;"
    "CREATE INDEX pets_avatar ON pets(avatar) WHERE avatar IS NOT NULL;"
    "CREATE INDEX stories_media ON stories(media);"
    "CREATE INDEX reels_video ON reels(video);"
    "CREATE INDEX reels_poster ON reels(poster);"
    "CREATE INDEX reels_video_alt ON reels(video_alt) WHERE video_alt IS NOT NULL;"
    "CREATE TABLE media_unref (hash TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;"
    "INSERT INTO media_unref SELECT hash FROM media;"
    "CREATE TRIGGER unref_post_image AFTER DELETE ON post_images BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.media); END;"
    "CREATE TRIGGER unref_story AFTER DELETE ON stories BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.media); END;"
    "CREATE TRIGGER unref_reel AFTER DELETE ON reels BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.video);"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.poster);"
    "  INSERT OR IGNORE INTO media_unref SELECT OLD.video_alt WHERE OLD.video_alt IS NOT NULL;"
    "  END;"
    "CREATE TRIGGER unref_user_avatar AFTER UPDATE OF avatar ON users"
    "  WHEN OLD.avatar IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.avatar); END;"
    "CREATE TRIGGER unref_user AFTER DELETE ON users WHEN OLD.avatar IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.avatar); END;"
    "CREATE TRIGGER unref_pet_avatar AFTER UPDATE OF avatar ON pets"
    "  WHEN OLD.avatar IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.avatar); END;"
    "CREATE TRIGGER unref_pet AFTER DELETE ON pets WHEN OLD.avatar IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.avatar); END;"
    "CREATE TRIGGER unref_upload AFTER DELETE ON uploads BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.media); END;"
    "CREATE TABLE upload_bytes ("
    "  day INTEGER NOT NULL,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
    "  PRIMARY KEY (day, user_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX upload_bytes_user ON upload_bytes(user_id);",
};

static int fail(pa_db *db, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail(pa_db *db, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(db->err, sizeof db->err, fmt, ap);
  va_end(ap);
  return rc;
}

/* Records SQLite's message for what was being attempted. */
static int sql_fail(pa_db *db, const char *what) {
  int code = sqlite3_errcode(db->h);
  fail(db, 0, "%s: %s", what, sqlite3_errmsg(db->h));
  return code == SQLITE_NOMEM ? PA_DB_ENOMEM : PA_DB_ESQL;
}

const char *pa_db_errmsg(const pa_db *db) {
  return !db ? "no database" : db->err[0] ? db->err : "no error";
}

const char *pa_db_errstr(int rc) {
  switch (rc) {
  case PA_DB_OK: return "ok";
  case PA_DB_EINVAL: return "invalid argument";
  case PA_DB_ESQL: return "database error";
  case PA_DB_ENEWER: return "database written by a newer version";
  case PA_DB_ENOMEM: return "out of memory";
  case PA_DB_EABORT: return "stopped by callback";
  }
  return "unknown error";
}

static int exec(pa_db *db, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK) return PA_DB_OK;
  fail(db, 0, "%s: %s", what, msg ? msg : sqlite3_errmsg(db->h));
  sqlite3_free(msg);
  return PA_DB_ESQL;
}

/* pa_fold(text): case-folded text for search (see pa_text_fold); the
 * input as it is when it is not UTF-8. Folding keeps byte lengths. */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *s = (const char *)sqlite3_value_text(argv[0]);
  if (!s) {
    sqlite3_result_null(ctx);
    return;
  }
  size_t cap = (size_t)sqlite3_value_bytes(argv[0]) * 2 + 8;
  char *out = sqlite3_malloc64(cap);
  if (!out) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (pa_text_fold(s, out, cap) != 0) snprintf(out, cap, "%s", s);
  sqlite3_result_text(ctx, out, -1, sqlite3_free);
}

enum { BUSY_WAIT_US = 250, BUSY_LIMIT_MS = 5000 };

/* Another connection holds the write lock: wait a little and try again, up
 * to BUSY_LIMIT_MS. SQLite's own busy timeout backs off to 100 ms sleeps, so
 * under steady writes from several workers a writer could sleep long after
 * the lock was free; short, even waits keep the tail short. */
static int busy_wait(void *arg, int count) {
  (void)arg;
  if ((long long)count * BUSY_WAIT_US >= (long long)BUSY_LIMIT_MS * 1000) return 0;
  struct timespec ts = {0, BUSY_WAIT_US * 1000L};
  nanosleep(&ts, NULL);
  return 1;
}

int pa_db_open(const char *path, int create, pa_db **out, char *err, size_t errlen) {
  *out = NULL;
  pa_db *db = calloc(1, sizeof *db);
  if (!db) {
    snprintf(err, errlen, "out of memory");
    return PA_DB_ENOMEM;
  }
  /* Each pa_db lives on one thread, so SQLite's own connection mutex is not needed. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_handler(db->h, busy_wait, NULL);
    rc = exec(db,
              "PRAGMA journal_mode = WAL;"
              "PRAGMA synchronous = NORMAL;" /* durable enough with WAL, much faster */
              "PRAGMA foreign_keys = ON;",
              "configure") == PA_DB_OK
             ? SQLITE_OK
             : SQLITE_ERROR;
    if (rc == SQLITE_OK)
      rc = sqlite3_create_function(db->h, "pa_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                   sql_fold, NULL, NULL);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "%s: %s", path, db->err);
      pa_db_close(db);
      return PA_DB_ESQL;
    }
    *out = db;
    return PA_DB_OK;
  }
  snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
  pa_db_close(db);
  return rc == SQLITE_NOMEM ? PA_DB_ENOMEM : PA_DB_ESQL;
}

void pa_db_close(pa_db *db) {
  if (!db) return;
  for (int i = 0; i < STMT_CACHE; i++) sqlite3_finalize(db->cache[i].st);
  sqlite3_finalize(db->images);
  sqlite3_close(db->h);
  free(db);
}

int pa_db_begin(pa_db *db) { return exec(db, "BEGIN IMMEDIATE", "begin"); }
int pa_db_commit(pa_db *db) { return exec(db, "COMMIT", "commit"); }
int pa_db_rollback(pa_db *db) { return exec(db, "ROLLBACK", "rollback"); }

int pa_db_end(pa_db *db, int ok) {
  if (ok && pa_db_commit(db) == PA_DB_OK) return PA_DB_OK;
  pa_db_rollback(db);
  return PA_DB_ESQL;
}

static int user_version(pa_db *db, int *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "read schema version");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? PA_DB_OK : sql_fail(db, "read schema version");
}

static int backfill_tag(void *ctx, const char *tag);

/* Tags of posts written before post_tags existed (schema 1 -> 2). */
static int backfill_tags(pa_db *db) {
  sqlite3_stmt *st = NULL;
  int rc;
  if (sqlite3_prepare_v2(db->h, "SELECT id, caption FROM posts", -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "backfill tags");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct {
      pa_db *db;
      int64_t id;
    } c = {db, sqlite3_column_int64(st, 0)};
    const char *caption = (const char *)sqlite3_column_text(st, 1);
    if (caption && pa_text_tags(caption, backfill_tag, &c) != 0) {
      sqlite3_finalize(st);
      return PA_DB_ESQL;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? PA_DB_OK : sql_fail(db, "backfill tags");
}

static int migrate_steps(pa_db *db);

int pa_db_migrate(pa_db *db) {
  /* Foreign keys must be off to rebuild a referenced table; the pragma is a
   * no-op inside a transaction, so it wraps the whole loop. */
  int rc = exec(db, "PRAGMA foreign_keys = OFF", "migrate");
  if (rc != PA_DB_OK) return rc;
  rc = migrate_steps(db);
  int on = exec(db, "PRAGMA foreign_keys = ON", "migrate");
  return rc != PA_DB_OK ? rc : on;
}

static int migrate_steps(pa_db *db) {
  for (;;) {
    int v, rc;
    /* Read the version inside the write lock, so two servers never both migrate. */
    if ((rc = pa_db_begin(db)) != PA_DB_OK) return rc;
    if ((rc = user_version(db, &v)) != PA_DB_OK) {
      pa_db_rollback(db);
      return rc;
    }
    if (v >= PA_DB_SCHEMA_VERSION) {
      pa_db_rollback(db);
      if (v > PA_DB_SCHEMA_VERSION)
        return fail(db, PA_DB_ENEWER, "schema version %d is newer than this server's %d", v,
                    PA_DB_SCHEMA_VERSION);
      return PA_DB_OK;
    }
    char bump[64];
    /* PRAGMA takes no bound parameters; v is our own small integer. */
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
    if ((rc = exec(db, migrations[v], "migrate")) != PA_DB_OK ||
        (v == 1 && (rc = backfill_tags(db)) != PA_DB_OK) ||
        (rc = exec(db, "PRAGMA foreign_key_check", "migrate")) != PA_DB_OK ||
        (rc = exec(db, bump, "migrate")) != PA_DB_OK || (rc = pa_db_commit(db)) != PA_DB_OK) {
      pa_db_rollback(db);
      return rc;
    }
  }
}

int pa_db_post_count(pa_db *db, int64_t *out) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM posts", -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "count posts");
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? PA_DB_OK : sql_fail(db, "count posts");
}

sqlite3 *pa_db_handle(pa_db *db) { return db->h; }

int pa_db_sql_fail(pa_db *db, const char *what) { return sql_fail(db, what); }

sqlite3_stmt *pa_db_stmt(pa_db *db, const char *sql) {
  size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
  for (int probe = 0; probe < STMT_CACHE; probe++, h = (h + 1) % STMT_CACHE) {
    if (db->cache[h].sql == sql) return db->cache[h].st;
    if (db->cache[h].sql) continue;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
      sql_fail(db, "prepare");
      return NULL;
    }
    db->cache[h].sql = sql;
    db->cache[h].st = st;
    return st;
  }
  /* Full: a fixed set of literals never gets here; still answer correctly. */
  fail(db, 0, "statement cache full");
  return NULL;
}

void pa_db_done(sqlite3_stmt *st) {
  if (!st) return;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

static int bind_i64s(sqlite3_stmt *st, int n, const int64_t *args) {
  int rc = SQLITE_OK;
  for (int i = 0; i < n && rc == SQLITE_OK; i++) rc = sqlite3_bind_int64(st, i + 1, args[i]);
  return rc;
}

int pa_db_exec_i64(pa_db *db, const char *sql, int n, const int64_t *args, int *changes) {
  sqlite3_stmt *st = pa_db_stmt(db, sql);
  if (!st) return PA_DB_ESQL;
  int rc = bind_i64s(st, n, args);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  int out = rc == SQLITE_DONE || rc == SQLITE_ROW ? PA_DB_OK : sql_fail(db, "exec");
  if (changes) *changes = sqlite3_changes(db->h);
  pa_db_done(st);
  return out;
}

int pa_db_scalar_i64(pa_db *db, const char *sql, int n, const int64_t *args, int64_t *out,
                     int *found) {
  sqlite3_stmt *st = pa_db_stmt(db, sql);
  if (!st) return PA_DB_ESQL;
  int rc = bind_i64s(st, n, args);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  int res = PA_DB_OK;
  if (found) *found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  else if (rc != SQLITE_DONE)
    res = sql_fail(db, "query");
  pa_db_done(st);
  return res;
}

/* Binds a string or NULL. SQLITE_TRANSIENT: SQLite copies, the caller keeps ownership. */
static int bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* Runs a prepared insert to completion, finalizes it, and reports the new rowid. */
static int finish_insert(pa_db *db, sqlite3_stmt *st, int bind_rc, const char *what, int64_t *id) {
  int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
  if (rc != SQLITE_DONE) {
    int out = sql_fail(db, what);
    sqlite3_finalize(st);
    return out;
  }
  sqlite3_finalize(st);
  if (id) *id = sqlite3_last_insert_rowid(db->h);
  return PA_DB_OK;
}

int pa_db_media_add(pa_db *db, const pa_db_media *m) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(
          db->h,
          "INSERT INTO media (hash, ext, width, height, bytes, created_at, thumbhash)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (hash) DO UPDATE"
          " SET thumbhash = coalesce(thumbhash, excluded.thumbhash)",
          -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add media");
  int rc = bind_text(st, 1, m->hash);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, m->ext);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 3, m->width);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, m->height);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, m->bytes);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, m->created_at);
  if (rc == SQLITE_OK) rc = bind_text(st, 7, m->thumbhash);
  return finish_insert(db, st, rc, "add media", NULL);
}

int pa_db_user_add(pa_db *db, const pa_db_user *u, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO users (handle, name, bio, avatar, created_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add user");
  int rc = bind_text(st, 1, u->handle);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, u->name);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, u->bio ? u->bio : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 4, u->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, u->created_at);
  return finish_insert(db, st, rc, "add user", id);
}

int pa_db_pet_add(pa_db *db, const pa_db_pet *p, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO pets (owner_id, name, species, breed, bio, avatar,"
                         " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add pet");
  int rc = sqlite3_bind_int64(st, 1, p->owner_id);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, p->name);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, p->species);
  if (rc == SQLITE_OK) rc = bind_text(st, 4, p->breed ? p->breed : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 5, p->bio ? p->bio : "");
  if (rc == SQLITE_OK) rc = bind_text(st, 6, p->avatar);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 7, p->created_at);
  return finish_insert(db, st, rc, "add pet", id);
}

static int backfill_tag(void *ctx, const char *tag) {
  struct {
    pa_db *db;
    int64_t id;
  } *c = ctx;
  sqlite3_stmt *st =
      pa_db_stmt(c->db, "INSERT OR IGNORE INTO post_tags (post_id, tag) VALUES (?1, ?2)");
  if (!st) return -1;
  int rc = sqlite3_bind_int64(st, 1, c->id);
  if (rc == SQLITE_OK) rc = bind_text(st, 2, tag);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) sql_fail(c->db, "add tag");
  pa_db_done(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int pa_db_post_pet_add(pa_db *db, int64_t post_id, int64_t pet_id) {
  int64_t a[2] = {post_id, pet_id};
  return pa_db_exec_i64(db, "INSERT OR IGNORE INTO post_pets (post_id, pet_id) VALUES (?1, ?2)", 2,
                        a, NULL);
}

int pa_db_post_add(pa_db *db, const pa_db_new_post *p, int64_t *id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO posts (author_id, pet_id, caption, like_count, comment_count,"
                         " created_at, campaign_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add post");
  int rc = sqlite3_bind_int64(st, 1, p->author_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 2, p->pet_id);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, p->caption ? p->caption : "");
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 4, p->like_count);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 5, p->comment_count);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 6, p->created_at);
  if (rc == SQLITE_OK)
    rc = p->campaign_id ? sqlite3_bind_int64(st, 7, p->campaign_id) : sqlite3_bind_null(st, 7);
  int64_t new_id = 0;
  int out = finish_insert(db, st, rc, "add post", &new_id);
  if (out != PA_DB_OK) return out;
  if ((out = pa_db_post_pet_add(db, new_id, p->pet_id)) != PA_DB_OK) return out;
  struct {
    pa_db *db;
    int64_t id;
  } c = {db, new_id};
  if (pa_text_tags(p->caption ? p->caption : "", backfill_tag, &c) != 0) return PA_DB_ESQL;
  if (id) *id = new_id;
  return PA_DB_OK;
}

int pa_db_post_image_add(pa_db *db, int64_t post_id, int position, const char *media_hash,
                         const char *alt) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db->h,
                         "INSERT INTO post_images (post_id, position, media, alt)"
                         " VALUES (?1, ?2, ?3, ?4)",
                         -1, &st, NULL) != SQLITE_OK)
    return sql_fail(db, "add post image");
  int rc = sqlite3_bind_int64(st, 1, post_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 2, position);
  if (rc == SQLITE_OK) rc = bind_text(st, 3, media_hash);
  if (rc == SQLITE_OK) rc = bind_text(st, 4, alt ? alt : "");
  return finish_insert(db, st, rc, "add post image", NULL);
}

/* ---- cursors: base64url of "v1.<created_at>.<id>" */

void pa_db_cursor_encode(const pa_db_cursor *c, char out[PA_DB_CURSOR_MAX]) {
  char plain[64];
  int n = snprintf(plain, sizeof plain, "v1.%lld.%lld", (long long)c->created_at, (long long)c->id);
  sodium_bin2base64(out, PA_DB_CURSOR_MAX, (const unsigned char *)plain, (size_t)n,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Canonical decimal only: optional '-', no leading zeros, no overflow. */
static int parse_i64(const char **p, int64_t *out) {
  const char *s = *p;
  int neg = *s == '-';
  uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
  if (neg) s++;
  if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9')) return -1;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (v > (lim - d) / 10u) return -1;
    v = v * 10u + d;
  }
  *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
  *p = s;
  return 0;
}

int pa_db_cursor_decode(const char *text, pa_db_cursor *out) {
  unsigned char plain[64];
  size_t n = 0, len = text ? strlen(text) : 0;
  if (len == 0 || len >= PA_DB_CURSOR_MAX) return PA_DB_EINVAL;
  if (sodium_base642bin(plain, sizeof plain - 1, text, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return PA_DB_EINVAL;
  plain[n] = '\0';
  if (memchr(plain, '\0', n)) return PA_DB_EINVAL;
  const char *p = (const char *)plain;
  pa_db_cursor c;
  if (strncmp(p, "v1.", 3) != 0) return PA_DB_EINVAL;
  p += 3;
  if (parse_i64(&p, &c.created_at) != 0 || *p++ != '.' || parse_i64(&p, &c.id) != 0 || *p ||
      c.id < 1)
    return PA_DB_EINVAL;
  /* One position, one spelling: reject anything we would not have written. */
  char again[PA_DB_CURSOR_MAX];
  pa_db_cursor_encode(&c, again);
  if (strcmp(again, text) != 0) return PA_DB_EINVAL;
  *out = c;
  return PA_DB_OK;
}

/* ---- the feed */

/* ?1 ?2 the cursor, ?3 the row limit, ?4 the viewer, ?5 the filter's id. */
#define FEED_SQL(filter)                                                                           \
  "SELECT p.id, p.created_at, p.like_count, p.comment_count, p.caption,"                           \
  "       u.id, u.name, u.avatar, um.ext,"                                                         \
  "       t.id, t.name, t.species, t.avatar, tm.ext,"                                              \
  "       EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?4),"               \
  "       p.campaign_id IS NOT NULL"                                                               \
  "  FROM posts p"                                                                                 \
  "  JOIN users u ON u.id = p.author_id"                                                           \
  "  JOIN pets t ON t.id = p.pet_id"                                                               \
  "  LEFT JOIN media um ON um.hash = u.avatar"                                                     \
  "  LEFT JOIN media tm ON tm.hash = t.avatar"                                                     \
  " WHERE (p.created_at, p.id) < (?1, ?2)"                                                         \
  "   AND EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id)" filter                      \
  " ORDER BY p.created_at DESC, p.id DESC"                                                         \
  " LIMIT ?3"

static const char *const feed_sql[] = {
    [PA_DB_FEED_ALL] = FEED_SQL(" AND ?5 = ?5"),
    [PA_DB_FEED_FOLLOWING] = FEED_SQL(
        " AND ?5 = ?5 AND (p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?4)"
        "  OR EXISTS (SELECT 1 FROM post_pets pp JOIN pet_follows f ON f.pet_id = pp.pet_id"
        "             WHERE pp.post_id = p.id AND f.follower_id = ?4))"),
    [PA_DB_FEED_AUTHOR] = FEED_SQL(" AND p.author_id = ?5"),
    [PA_DB_FEED_PET] = FEED_SQL(
        " AND EXISTS (SELECT 1 FROM post_pets pp WHERE pp.post_id = p.id AND pp.pet_id = ?5)"),
    [PA_DB_FEED_ONE] = FEED_SQL(" AND p.id = ?5"),
    [PA_DB_FEED_TAG] = FEED_SQL(" AND ?5 = ?5 AND EXISTS (SELECT 1 FROM post_tags pt WHERE "
                                "pt.post_id = p.id AND pt.tag = ?6)"),
};

static const char images_sql[] = "SELECT m.hash, m.ext, m.width, m.height, i.alt, m.thumbhash"
                                 "  FROM post_images i JOIN media m ON m.hash = i.media"
                                 " WHERE i.post_id = ?1 ORDER BY i.position LIMIT 10";

typedef struct image_copy {
  char hash[65], ext[8], alt[PA_DB_ALT_MAX + 1], thumbhash[40];
} image_copy;

static void copy_text(char *dst, size_t cap, const unsigned char *src) {
  snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

static int load_images(pa_db *db, int64_t post_id, image_copy *copies, pa_db_image *images,
                       int *count) {
  int rc, n = 0;
  if (sqlite3_bind_int64(db->images, 1, post_id) != SQLITE_OK) return sql_fail(db, "feed images");
  while (n < PA_DB_MAX_IMAGES && (rc = sqlite3_step(db->images)) == SQLITE_ROW) {
    /* Text pointers die on the next step, so keep copies (sizes are bounded by the schema). */
    copy_text(copies[n].hash, sizeof copies[n].hash, sqlite3_column_text(db->images, 0));
    copy_text(copies[n].ext, sizeof copies[n].ext, sqlite3_column_text(db->images, 1));
    copy_text(copies[n].alt, sizeof copies[n].alt, sqlite3_column_text(db->images, 4));
    copy_text(copies[n].thumbhash, sizeof copies[n].thumbhash, sqlite3_column_text(db->images, 5));
    images[n] = (pa_db_image){copies[n].hash,
                              copies[n].ext,
                              copies[n].alt,
                              sqlite3_column_int(db->images, 2),
                              sqlite3_column_int(db->images, 3),
                              copies[n].thumbhash[0] ? copies[n].thumbhash : NULL};
    n++;
  }
  if (n < PA_DB_MAX_IMAGES && rc != SQLITE_DONE) {
    int out = sql_fail(db, "feed images");
    sqlite3_reset(db->images);
    return out;
  }
  sqlite3_reset(db->images);
  *count = n;
  return PA_DB_OK;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

int pa_db_feed(pa_db *db, const pa_db_cursor *after, int limit, pa_db_feed_fn fn, void *ctx,
               pa_db_cursor *next, int *has_more) {
  pa_db_feed_query q = {PA_DB_FEED_ALL, 0, 0, NULL};
  return pa_db_feed_where(db, &q, after, limit, fn, ctx, next, has_more);
}

int pa_db_feed_where(pa_db *db, const pa_db_feed_query *q, const pa_db_cursor *after, int limit,
                     pa_db_feed_fn fn, void *ctx, pa_db_cursor *next, int *has_more) {
  image_copy copies[PA_DB_MAX_IMAGES];
  pa_db_image images[PA_DB_MAX_IMAGES];
  int rc, n = 0, out = PA_DB_OK;
  *has_more = 0;
  if (limit < 1 || limit > PA_DB_FEED_MAX || !fn || q->kind < PA_DB_FEED_ALL ||
      q->kind > PA_DB_FEED_TAG || (q->kind == PA_DB_FEED_TAG && !q->tag))
    return fail(db, PA_DB_EINVAL, "feed: bad limit");
  sqlite3_stmt *feed = pa_db_stmt(db, feed_sql[q->kind]);
  if (!feed) return PA_DB_ESQL;
  if (!db->images && sqlite3_prepare_v3(db->h, images_sql, -1, SQLITE_PREPARE_PERSISTENT,
                                        &db->images, NULL) != SQLITE_OK)
    return sql_fail(db, "prepare feed images");

  /* The first page starts above every real position. */
  rc = sqlite3_bind_int64(feed, 1, after ? after->created_at : INT64_MAX);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(feed, 2, after ? after->id : INT64_MAX);
  /* One extra row tells whether another page exists. */
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(feed, 3, limit + 1);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(feed, 4, q->viewer);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(feed, 5, q->id);
  if (rc == SQLITE_OK && q->kind == PA_DB_FEED_TAG)
    rc = sqlite3_bind_text(feed, 6, q->tag, -1, SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) {
    pa_db_done(feed);
    return sql_fail(db, "feed");
  }

  while ((rc = sqlite3_step(feed)) == SQLITE_ROW) {
    sqlite3_stmt *st = feed;
    if (n == limit) {
      *has_more = 1;
      break;
    }
    pa_db_feed_post p = {
        .id = sqlite3_column_int64(st, 0),
        .created_at = sqlite3_column_int64(st, 1),
        .like_count = sqlite3_column_int64(st, 2),
        .comment_count = sqlite3_column_int64(st, 3),
        .caption = col_text(st, 4),
        .author_id = sqlite3_column_int64(st, 5),
        .author_name = col_text(st, 6),
        .author_avatar = col_text(st, 7),
        .author_avatar_ext = col_text(st, 8),
        .pet_id = sqlite3_column_int64(st, 9),
        .pet_name = col_text(st, 10),
        .pet_species = col_text(st, 11),
        .pet_avatar = col_text(st, 12),
        .pet_avatar_ext = col_text(st, 13),
        .liked = sqlite3_column_int(st, 14),
        .sponsored = sqlite3_column_int(st, 15),
        .images = images,
    };
    /* NOT NULL columns only read as NULL when SQLite ran out of memory. */
    if (!p.caption || !p.author_name || !p.pet_name || !p.pet_species) {
      out = fail(db, PA_DB_ENOMEM, "feed: out of memory");
      break;
    }
    if (!p.author_avatar_ext) p.author_avatar = NULL;
    if (!p.pet_avatar_ext) p.pet_avatar = NULL;
    if ((out = load_images(db, p.id, copies, images, &p.image_count)) != PA_DB_OK) break;
    if (fn(ctx, &p) != 0) {
      out = fail(db, PA_DB_EABORT, "feed: stopped by callback");
      break;
    }
    next->created_at = p.created_at;
    next->id = p.id;
    n++;
  }
  if (out == PA_DB_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) out = sql_fail(db, "feed");
  pa_db_done(feed);
  return out;
}
