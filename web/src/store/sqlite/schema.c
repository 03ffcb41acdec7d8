/* pa_store over SQLite: the schema and its migrations. */
#include "store/sql/sql.h"
#include "store/sqlite/sqlite.h"
#include "str.h"

#include <stdio.h>

/* Schema versions in order; migrations[i] takes user_version i to i + 1.
 * STRICT tables make SQLite enforce the declared types. */
static const char *const migrations[PA_STORE_SCHEMA_VERSION] = {
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
    /* 9: payments (web/README.md, "Payments"). subscriptions holds every
     * checkout from its start (pending, before the provider is even asked,
     * with the idempotency key every retry reuses) to its end; ledger_* is
     * the append-only double-entry book of money that moved (triggers refuse
     * UPDATE and DELETE), each provider movement once (UNIQUE provider,
     * provider_txn); parties stand between the book and users, so a deleted
     * account leaves its tombstone in the book. pay_events is the durable
     * queue of verified webhooks, and remembers their ids to apply each once.
     * users.plus_until caches what the ledger and the subscription grant. */
    "ALTER TABLE users ADD COLUMN plus_until INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE ledger_parties ("
    "  id INTEGER PRIMARY KEY,"
    "  tombstone TEXT NOT NULL UNIQUE,"
    "  user_id INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL"
    ") STRICT;"
    "CREATE TABLE subscriptions ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  party_id INTEGER NOT NULL REFERENCES ledger_parties(id),"
    "  plan TEXT NOT NULL CHECK (length(plan) BETWEEN 1 AND 40),"
    "  provider TEXT NOT NULL CHECK (provider IN ('paypal', 'mercadopago')),"
    "  country TEXT NOT NULL CHECK (length(country) = 2),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
    "  months INTEGER NOT NULL CHECK (months BETWEEN 1 AND 12),"
    "  kind TEXT NOT NULL DEFAULT 'subscription' CHECK (kind IN ('subscription', 'once')),"
    "  idem_key TEXT NOT NULL UNIQUE,"
    "  provider_id TEXT,"
    "  approve_url TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('unreachable', 'pending', 'declined', 'abandoned',"
    "    'active', 'suspended', 'cancelled', 'expired')),"
    "  cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),"
    "  next_charge_at INTEGER,"
    "  failed_at INTEGER,"
    "  checked_at INTEGER NOT NULL,"
    "  version INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE UNIQUE INDEX subscriptions_provider ON subscriptions(provider, provider_id)"
    "  WHERE provider_id IS NOT NULL;"
    "CREATE INDEX subscriptions_user ON subscriptions(user_id, id);"
    "CREATE INDEX subscriptions_open ON subscriptions(checked_at)"
    "  WHERE status IN ('unreachable', 'pending', 'active', 'suspended');"
    "CREATE TABLE ledger_txns ("
    "  id INTEGER PRIMARY KEY,"
    "  provider TEXT NOT NULL,"
    "  provider_txn TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund', 'chargeback')),"
    "  parent_txn TEXT,"
    "  party_id INTEGER NOT NULL REFERENCES ledger_parties(id),"
    "  subscription_id INTEGER REFERENCES subscriptions(id),"
    "  plan TEXT NOT NULL,"
    "  months INTEGER NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  gross_minor INTEGER NOT NULL CHECK (gross_minor > 0),"
    "  fee_minor INTEGER NOT NULL CHECK (fee_minor >= 0),"
    "  occurred_at INTEGER NOT NULL,"
    "  recorded_at INTEGER NOT NULL,"
    "  UNIQUE (provider, provider_txn)"
    ") STRICT;"
    "CREATE INDEX ledger_txns_party ON ledger_txns(party_id, occurred_at);"
    "CREATE INDEX ledger_txns_parent ON ledger_txns(provider, parent_txn) WHERE parent_txn IS NOT "
    "NULL;"
    "CREATE TABLE ledger_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  txn_id INTEGER NOT NULL REFERENCES ledger_txns(id),"
    "  account TEXT NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0)"
    ") STRICT;"
    "CREATE INDEX ledger_entries_txn ON ledger_entries(txn_id);"
    "CREATE TRIGGER ledger_txns_frozen BEFORE UPDATE ON ledger_txns BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER ledger_txns_kept BEFORE DELETE ON ledger_txns BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER ledger_entries_frozen BEFORE UPDATE ON ledger_entries BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER ledger_entries_kept BEFORE DELETE ON ledger_entries BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TABLE pay_events ("
    "  id INTEGER PRIMARY KEY,"
    "  provider TEXT NOT NULL,"
    "  event_id TEXT NOT NULL,"
    "  body BLOB NOT NULL,"
    "  query TEXT,"
    "  received_at INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  done_at INTEGER,"
    "  UNIQUE (provider, event_id)"
    ") STRICT;"
    "CREATE INDEX pay_events_due ON pay_events(next_at) WHERE done_at IS NULL;"
    "CREATE TABLE billing_notices ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('renewal_failed', 'downgraded')),"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX billing_notices_user ON billing_notices(user_id, at);",
    /* 10: Plus carries more photos per post (PA_CATALOG_PHOTOS_PLUS, 20):
     * positions 0..19, PA_STORE_MAX_IMAGES - 1 (store/feed.h). SQLite cannot
     * alter a CHECK, so post_images is rebuilt as notifications was in 6 (new
     * table, copy, drop, rename; foreign keys are off while migrating and
     * PRAGMA foreign_key_check runs before the version moves). Dropping the
     * old table drops its index and its one trigger (unref_post_image, which
     * queues a deleted image's hash for the media collector), so both are
     * made again; no other trigger names post_images. The copy and the drop
     * fire no trigger: media_unref is left as it was. */
    "CREATE TABLE post_images_new ("
    "  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 19),"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  alt TEXT NOT NULL DEFAULT '' CHECK (length(CAST(alt AS BLOB)) <= 300),"
    "  PRIMARY KEY (post_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "INSERT INTO post_images_new (post_id, position, media, alt)"
    "  SELECT post_id, position, media, alt FROM post_images;"
    "DROP TABLE post_images;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE post_images_new RENAME TO post_images;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX post_images_media ON post_images(media);"
    "CREATE TRIGGER unref_post_image AFTER DELETE ON post_images BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.media); END;",
    /* 11: the admin console's foundation (issue 19; web/README.md, "Roles and
     * the audit log"). user_roles: who may do what; a person's roles go
     * with the account (CASCADE), and granted_by becomes NULL when the
     * granting admin's account goes. audit_log: every privileged act, append
     * only (triggers refuse UPDATE and DELETE, as the ledger's). People
     * appear in it through ledger_parties, the same tombstone the book of
     * money keeps, never a users.id: SQLite gives a deleted newest account's
     * id to the next sign-up, so a bare user id could later name someone
     * else, and a foreign key to users could neither cascade nor set NULL
     * into rows that refuse every change. actor_party NULL is the command
     * line; target_id is a party for target_kind 'person'. detail is a JSON
     * object the server writes, never a secret. */
    "CREATE TABLE user_roles ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'support', 'finance')),"
    "  granted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  granted_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, role)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX user_roles_role ON user_roles(role, user_id);"
    "CREATE INDEX user_roles_granted_by ON user_roles(granted_by) WHERE granted_by IS NOT NULL;"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_party INTEGER REFERENCES ledger_parties(id),"
    "  action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 40),"
    "  target_kind TEXT NOT NULL CHECK (length(target_kind) BETWEEN 1 AND 20),"
    "  target_id INTEGER NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '{}' CHECK (length(detail) BETWEEN 2 AND 2000"
    "    AND substr(detail, 1, 1) = '{')"
    ") STRICT;"
    "CREATE INDEX audit_log_at ON audit_log(at, id);"
    "CREATE TRIGGER audit_log_frozen BEFORE UPDATE ON audit_log BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_kept BEFORE DELETE ON audit_log BEGIN"
    "  SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 12: notices — what the server tells a person that is not someone's
     * like, comment or follow (those stay in notifications, written by
     * triggers): billing's notices (moved here from billing_notices, which
     * kept no read mark), follow requests and their answers, health
     * reminders, moderation decisions, security events. A notice may name a
     * person (actor), a post and a pet, all optional and gone with them;
     * detail is the kind's own JSON object (the server's words, never a
     * secret, PA_STORE_NOTICE_DETAIL_MAX bytes). The billing notices come
     * over as read: they were shown as read until now. */
    "CREATE TABLE notices ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('billing_renewal_failed', 'billing_downgraded',"
    "    'follow_request', 'follow_accepted', 'health_due', 'moderation', 'security')),"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  detail TEXT NOT NULL DEFAULT '{}' CHECK (length(CAST(detail AS BLOB)) BETWEEN 2 AND 1000"
    "    AND substr(detail, 1, 1) = '{'),"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX notices_list ON notices(user_id, created_at, id);"
    "CREATE INDEX notices_unread ON notices(user_id) WHERE read = 0;"
    "CREATE INDEX notices_actor ON notices(actor_id) WHERE actor_id IS NOT NULL;"
    "CREATE INDEX notices_post ON notices(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notices_pet ON notices(pet_id) WHERE pet_id IS NOT NULL;"
    "INSERT INTO notices (user_id, kind, created_at, read)"
    "  SELECT user_id, 'billing_' || kind, at, 1 FROM billing_notices ORDER BY id;"
    "DROP TABLE billing_notices;",
    /* 13: the pet-health dashboard (issue 19; web/README.md, "Pet health").
     * health_entries holds the six kinds of record an owner keeps for a pet,
     * one row each, in shared columns (title: vaccine, clinic, medicine or
     * allergy; detail: reason, dose or severity; day: given, visit, start or
     * log date; until_day: a vaccination's due date or a medication's last
     * day): one table keeps the per-pet limit, the owner check and the
     * record a vet sees one query each. The CHECKs say which columns a kind
     * needs. Weights are whole grams, never floats. due_at is the next time a
     * reminder is owed (a vaccination's due date, a medication's next dose),
     * NULL once none is: the reminder round moves it on in the transaction
     * that writes the notice, so a due item is announced once. health_shares
     * are a vet's read-only links: the token is kept only as its SHA-256. */
    "CREATE TABLE health_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('vaccination', 'visit', 'medication', 'weight',"
    "    'allergy', 'activity')),"
    "  day TEXT CHECK (day IS NULL OR day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),"
    "  until_day TEXT CHECK (until_day IS NULL OR"
    "    until_day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),"
    "  title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 120),"
    "  detail TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 120),"
    "  notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),"
    "  every_n INTEGER CHECK (every_n IS NULL OR every_n BETWEEN 1 AND 365),"
    "  every_unit TEXT CHECK (every_unit IS NULL OR every_unit IN ('hours', 'days')),"
    "  grams INTEGER CHECK (grams IS NULL OR grams BETWEEN 1 AND 200000),"
    "  minutes INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 1 AND 1440),"
    "  metres INTEGER CHECK (metres IS NULL OR metres BETWEEN 0 AND 200000),"
    "  due_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK (kind <> 'vaccination' OR (title <> '' AND day IS NOT NULL)),"
    "  CHECK (kind <> 'visit' OR (title <> '' AND day IS NOT NULL)),"
    "  CHECK (kind <> 'medication' OR (title <> '' AND day IS NOT NULL AND every_n IS NOT NULL"
    "    AND every_unit IS NOT NULL)),"
    "  CHECK (kind <> 'weight' OR (grams IS NOT NULL AND day IS NOT NULL)),"
    "  CHECK (kind <> 'allergy' OR (title <> '' AND detail IN ('mild', 'moderate', 'severe'))),"
    "  CHECK (kind <> 'activity' OR (minutes IS NOT NULL AND day IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX health_entries_pet ON health_entries(pet_id, kind, day);"
    "CREATE INDEX health_entries_due ON health_entries(due_at) WHERE due_at IS NOT NULL;"
    "CREATE TABLE health_shares ("
    "  id INTEGER PRIMARY KEY,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL CHECK (expires_at > created_at),"
    "  revoked_at INTEGER"
    ") STRICT;"
    "CREATE INDEX health_shares_pet ON health_shares(pet_id, created_at);",
    /* 14: accounts people manage (issue 19; web/README.md, "Profiles and
     * e-mail"). users: links (a JSON array the server writes, each an https
     * URL), the country the person declares (never guessed from the
     * address; prices default to it), the locale their e-mail is written
     * in. email_tokens: a reset or change-of-address link's token, only its
     * BLAKE2b-256 kept (as sessions), single use (used_at), with an expiry;
     * email is the new address a 'change' token confirms. outbox: the
     * embedded mail service (and what SMTP failed to take), which the admin
     * console shows. */
    "ALTER TABLE users ADD COLUMN links TEXT NOT NULL DEFAULT '[]' CHECK (length(links)"
    "  BETWEEN 2 AND 2000 AND substr(links, 1, 1) = '[');"
    "ALTER TABLE users ADD COLUMN country TEXT CHECK (country IS NULL OR"
    "  (length(country) = 2 AND country GLOB '[A-Z][A-Z]'));"
    "ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '' CHECK (length(locale) <= 16);"
    "CREATE TABLE email_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
    "  purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'change')),"
    "  email TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL CHECK (expires_at > created_at),"
    "  used_at INTEGER,"
    "  CHECK ((purpose = 'change') = (email IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX email_tokens_user ON email_tokens(user_id, purpose, created_at);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('reset', 'change_confirm', 'change_notice')),"
    "  to_addr TEXT NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),"
    "  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),"
    "  status TEXT NOT NULL CHECK (status IN ('kept', 'failed')),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX outbox_at ON outbox(created_at, id);",
    /* 15: security events (issue 19; web/README.md, "Security events"): failed
     * sign-ins, limiter hits, refused uploads and new sessions with the
     * client's address and its country, for the console's Security view.
     * Never a secret: kind and a short detail word (which limit, why), the
     * account when known (SET NULL when it goes: the events stay counted but
     * name nobody), the address, "" or a two-letter country, and n, the
     * events the row stands for (limiter hits are sampled, secev.c). Pruned
     * after PA_SECEV_RETENTION_DAYS by the housekeeping thread, by at. */
    "CREATE TABLE security_events ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('login_failed', 'limited', 'upload_refused', 'signin')),"
    "  detail TEXT NOT NULL DEFAULT '' CHECK (length(CAST(detail AS BLOB)) < 40),"
    "  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  addr TEXT NOT NULL CHECK (length(addr) BETWEEN 1 AND 45),"
    "  country TEXT NOT NULL DEFAULT '' CHECK (country = '' OR (length(country) = 2"
    "    AND country NOT GLOB '*[^A-Z]*')),"
    "  n INTEGER NOT NULL DEFAULT 1 CHECK (n >= 1)"
    ") STRICT;"
    "CREATE INDEX security_events_at ON security_events(at);"
    "CREATE INDEX security_events_user ON security_events(user_id) WHERE user_id IS NOT NULL;",
    /* 16: moderation (issue 19; web/README.md, "Moderation"). mod_state on
     * posts and comments: 0 shown, 1 hidden (only its author sees it, marked),
     * 2 removed (nobody does; a removed post's images are deleted, so their
     * files are collected). users.suspended_until / banned_at: sign-in refused
     * while set (suspended_until is a time; banned_at is when, for ever).
     * reports: what people reported, one open report per reporter and item
     * (the partial unique index); subject_id is the person answerable for the
     * item (author, sender, or the person reported), never the reporter. A chat
     * message is end-to-end encrypted, so its report carries the text the
     * reporter's device decrypted (message); nothing else has it. A report is
     * closed with the outcome of the action that settled its item. */
    "ALTER TABLE posts ADD COLUMN mod_state INTEGER NOT NULL DEFAULT 0"
    "  CHECK (mod_state IN (0, 1, 2));"
    "ALTER TABLE comments ADD COLUMN mod_state INTEGER NOT NULL DEFAULT 0"
    "  CHECK (mod_state IN (0, 1, 2));"
    "ALTER TABLE users ADD COLUMN suspended_until INTEGER;"
    "ALTER TABLE users ADD COLUMN banned_at INTEGER;"
    "CREATE TABLE reports ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'person', 'message')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id)"
    ") STRICT;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 17: blocks, mutes and private accounts (issue 19; web/README.md,
     * "Blocks, mutes and private accounts"). A block is stored once, by who
     * made it, and read both ways: either direction hides the two people
     * from each other. A mute is one way and silent. follow_requests are the
     * follows a private person has not approved yet; users.private says
     * whether follows need approval and whether posts are followers-only.
     * Every row goes with either person's account (CASCADE). The second
     * index of each table serves the reverse direction (who blocked me). */
    "ALTER TABLE users ADD COLUMN private INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1));"
    "CREATE TABLE blocks ("
    "  blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (blocker_id, blocked_id),"
    "  CHECK (blocker_id <> blocked_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX blocks_blocked ON blocks(blocked_id, blocker_id);"
    "CREATE INDEX blocks_listed ON blocks(blocker_id, created_at);"
    "CREATE TABLE mutes ("
    "  muter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  muted_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (muter_id, muted_id),"
    "  CHECK (muter_id <> muted_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX mutes_muted ON mutes(muted_id);"
    "CREATE INDEX mutes_listed ON mutes(muter_id, created_at);"
    "CREATE TABLE follow_requests ("
    "  requester_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  target_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (requester_id, target_id),"
    "  CHECK (requester_id <> target_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX follow_requests_target ON follow_requests(target_id, created_at);",
    /* 18: two-step sign-in and the sessions list (issue 19; web/README.md,
     * "Two-step sign-in"). sessions learn when they were last used and what
     * made them: a browser and an OS named by the server from a fixed list
     * (auth/device.h, never the header's text) and the address cut to its
     * /24 or /48; rows made before have none of it (''), and were last seen
     * when made. user_totp holds one secret per person, sealed under
     * PA_SECRETS_KEY when the server has one (sealed 1: nonce, ciphertext
     * and tag, 60 bytes) or as it is (sealed 0: 20 bytes); enabled_at NULL
     * is a setup not yet confirmed with a code; last_step is the last TOTP
     * step accepted, so a code is never accepted twice. totp_recovery keeps
     * the recovery codes' keyed hashes; used_at marks one spent. */
    "ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;"
    "UPDATE sessions SET last_seen_at = created_at;"
    "ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT ''"
    "  CHECK (length(browser) <= 24);"
    "ALTER TABLE sessions ADD COLUMN os TEXT NOT NULL DEFAULT '' CHECK (length(os) <= 24);"
    "ALTER TABLE sessions ADD COLUMN addr TEXT NOT NULL DEFAULT '' CHECK (length(addr) <= 63);"
    "CREATE TABLE user_totp ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  secret BLOB NOT NULL,"
    "  sealed INTEGER NOT NULL CHECK (sealed = 0 AND length(secret) = 20"
    "    OR sealed = 1 AND length(secret) = 60),"
    "  enabled_at INTEGER,"
    "  last_step INTEGER NOT NULL DEFAULT 0 CHECK (last_step >= 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE totp_recovery ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),"
    "  used_at INTEGER,"
    "  PRIMARY KEY (user_id, code_hash)"
    ") STRICT, WITHOUT ROWID;",
    /* 19: Web Push — a browser's subscription (its push service endpoint
     * and the keys RFC 8291 encrypts to), tied to the session that made it
     * so signing out, ending sessions or deleting the account ends it too
     * (ON DELETE CASCADE); and the durable queue of pushes to send, filled
     * here by triggers in the transaction of what a push tells (a
     * notification, a notice, a chat message: one pending push per sender
     * and subscription, however many devices or messages) and drained by
     * the push worker. A queued row names its source; the words are made
     * when it is sent, so an unlike before then sends nothing. */
    "CREATE TABLE push_subscriptions ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  endpoint TEXT NOT NULL UNIQUE CHECK (length(CAST(endpoint AS BLOB)) BETWEEN 8 AND 1024),"
    "  p256dh BLOB NOT NULL CHECK (length(p256dh) = 65),"
    "  auth BLOB NOT NULL CHECK (length(auth) = 16),"
    "  locale TEXT NOT NULL CHECK (length(locale) BETWEEN 2 AND 15),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, created_at);"
    "CREATE INDEX push_subscriptions_session ON push_subscriptions(session_id);"
    "CREATE TABLE push_queue ("
    "  id INTEGER PRIMARY KEY,"
    "  subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('notification', 'notice', 'chat')),"
    "  ref_id INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX push_queue_due ON push_queue(next_at, id);"
    "CREATE INDEX push_queue_sub ON push_queue(subscription_id, kind, ref_id);"
    "CREATE TRIGGER push_notification AFTER INSERT ON notifications BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'notification', NEW.id, NEW.created_at, NEW.created_at"
    "  FROM push_subscriptions WHERE user_id = NEW.user_id; END;"
    "CREATE TRIGGER push_notice AFTER INSERT ON notices BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'notice', NEW.id, NEW.created_at, NEW.created_at"
    "  FROM push_subscriptions WHERE user_id = NEW.user_id; END;"
    "CREATE TRIGGER push_chat AFTER INSERT ON chat_messages BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT s.id, 'chat', d.user_id, NEW.created_at, NEW.created_at"
    "  FROM chat_devices r JOIN chat_devices d ON d.id = NEW.sender_device"
    "  JOIN push_subscriptions s ON s.user_id = r.user_id"
    "  WHERE r.id = NEW.recipient_device AND r.user_id <> d.user_id"
    "  AND NOT EXISTS (SELECT 1 FROM push_queue q WHERE q.subscription_id = s.id"
    "    AND q.kind = 'chat' AND q.ref_id = d.user_id); END;",
    /* 20: the devices a person has signed in from (issue 19; web/README.md,
     * "Two-step sign-in"): a browser and an OS as named by auth/device.h (a
     * fixed list, so a person has few rows), first and last seen. Sessions
     * end and are deleted; this outlives them, so a sign-in from a browser
     * never seen before can be told to its owner and counted in the
     * Security view. Filled at the upgrade from the sessions there are, so
     * nobody is told of a device they already use. */
    "CREATE TABLE known_devices ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  browser TEXT NOT NULL CHECK (length(browser) <= 24),"
    "  os TEXT NOT NULL CHECK (length(os) <= 24),"
    "  first_seen_at INTEGER NOT NULL,"
    "  last_seen_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, browser, os)"
    ") STRICT, WITHOUT ROWID;"
    "INSERT INTO known_devices (user_id, browser, os, first_seen_at, last_seen_at)"
    "  SELECT user_id, browser, os, min(created_at), max(last_seen_at) FROM sessions"
    "  GROUP BY user_id, browser, os;",
    /* 21: full-text search (issue 20; store/textindex.h). text_docs holds
     * each indexed row's terms, already analyzed by pa_search_terms (ICU
     * words, folded, stemmed, no diacritics; separated by one space), and
     * text_fts indexes them as FTS5 external content kept by the triggers
     * below. The tokenizer only splits at the spaces: terms hold letters,
     * digits and marks, and marks are letters in Thai or Devanagari (FTS5's
     * default splits at them), so categories names them; no diacritics are
     * removed, as the analyzer already did. No foreign key: any kind of row
     * can be indexed (a query joins on its table, store/textindex.h). */
    "CREATE TABLE text_docs ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 16 AND kind NOT GLOB '*[^a-z_]*'),"
    "  ref_id INTEGER NOT NULL,"
    "  locale TEXT NOT NULL CHECK (length(locale) BETWEEN 2 AND 15),"
    "  terms TEXT NOT NULL CHECK (length(CAST(terms AS BLOB)) <= 102400),"
    "  UNIQUE (kind, ref_id)"
    ") STRICT;"
    "CREATE VIRTUAL TABLE text_fts USING fts5(terms, content = 'text_docs',"
    "  content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* M* Co''');"
    "CREATE TRIGGER text_docs_insert AFTER INSERT ON text_docs BEGIN"
    "  INSERT INTO text_fts (rowid, terms) VALUES (NEW.id, NEW.terms); END;"
    "CREATE TRIGGER text_docs_delete AFTER DELETE ON text_docs BEGIN"
    "  INSERT INTO text_fts (text_fts, rowid, terms) VALUES ('delete', OLD.id, OLD.terms); END;"
    "CREATE TRIGGER text_docs_update AFTER UPDATE ON text_docs BEGIN"
    "  INSERT INTO text_fts (text_fts, rowid, terms) VALUES ('delete', OLD.id, OLD.terms);"
    "  INSERT INTO text_fts (rowid, terms) VALUES (NEW.id, NEW.terms); END;",
    /* 22: reels and stories are moderated too (issue 19; web/README.md,
     * "Moderation"). mod_state on each: 0 shown, 1 hidden (only its owner
     * sees it, marked). Removing one deletes its row, so the unref_reel and
     * unref_story triggers queue its files for the collector; there is no
     * removed state to keep. reports.kind takes 'reel' and 'story': SQLite
     * cannot alter a CHECK, so reports is rebuilt as post_images was in 10
     * (new table, copy, drop, rename; its indexes made again; no trigger
     * names it). */
    "ALTER TABLE reels ADD COLUMN mod_state INTEGER NOT NULL DEFAULT 0"
    "  CHECK (mod_state IN (0, 1));"
    "ALTER TABLE stories ADD COLUMN mod_state INTEGER NOT NULL DEFAULT 0"
    "  CHECK (mod_state IN (0, 1));"
    "CREATE TABLE reports_new ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL"
    "    CHECK (kind IN ('post', 'comment', 'person', 'message', 'reel', 'story')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id)"
    ") STRICT;"
    "INSERT INTO reports_new SELECT id, reporter_id, kind, item_id, subject_id, reason, text,"
    "  message, created_at, closed_at, outcome FROM reports;"
    "DROP TABLE reports;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE reports_new RENAME TO reports;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 23: the marketplace's sellers and listings (issue 20; web/README.md,
     * "Marketplace"). sellers: anyone signed in who sells, with the payout
     * account (a PayPal e-mail, or Mercado Pago, connected through its OAuth
     * later: mp_connected stays 0 until then). listings: prices in integer
     * minor units with their ISO 4217 currency; category is a name from
     * market_rules.c's registry (which holds the fee checkout reads); species
     * the bit mask of the species it suits; a city and a country, never
     * coordinates (city_key: the city case-folded by pa_str_fold, which
     * browse compares); shipping the rates, pickup and service area as JSON the
     * server writes; status the seller's, mod_state the moderators' (as
     * posts'). stock is the listing's when it has no variants;
     * listing_variants keep their own, which checkout will decrement with
     * "stock >= n" in one UPDATE, so a reservation never oversells; a
     * variant's id stays while its position does. listing_photos hold
     * uploads as post_images do (the trigger queues a dropped one for
     * collection). reports gains the 'listing' kind (a rebuild: SQLite
     * cannot change a CHECK). */
    "CREATE TABLE sellers ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),"
    "  provider TEXT NOT NULL CHECK (provider IN ('paypal', 'mercadopago')),"
    "  paypal_email TEXT CHECK (paypal_email IS NULL OR length(paypal_email) BETWEEN 3 AND 254),"
    "  mp_connected INTEGER NOT NULL DEFAULT 0 CHECK (mp_connected IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK ((provider = 'paypal') = (paypal_email IS NOT NULL)),"
    "  CHECK (provider = 'mercadopago' OR mp_connected = 0)"
    ") STRICT;"
    "CREATE TABLE listings ("
    "  id INTEGER PRIMARY KEY,"
    "  seller_id INTEGER NOT NULL REFERENCES sellers(user_id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),"
    "  description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 5000),"
    "  lang TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 15),"
    "  price_minor INTEGER NOT NULL CHECK (price_minor BETWEEN 1 AND 1000000000000000),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  stock INTEGER NOT NULL DEFAULT 0 CHECK (stock BETWEEN 0 AND 100000),"
    "  kind TEXT NOT NULL CHECK (kind IN ('product', 'service')),"
    "  condition TEXT NOT NULL CHECK (condition IN ('new', 'like_new', 'used', 'n/a')),"
    "  category TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 20),"
    "  species INTEGER NOT NULL DEFAULT 0 CHECK (species BETWEEN 0 AND 511),"
    "  city TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 80),"
    "  city_key TEXT NOT NULL CHECK (length(city_key) BETWEEN 1 AND 80),"
    "  country TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),"
    "  shipping TEXT NOT NULL DEFAULT '{}' CHECK (length(shipping) BETWEEN 2 AND 16000"
    "    AND substr(shipping, 1, 1) = '{'),"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'sold_out')),"
    "  mod_state INTEGER NOT NULL DEFAULT 0 CHECK (mod_state IN (0, 1, 2)),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  CHECK ((kind = 'service') = (condition = 'n/a'))"
    ") STRICT;"
    "CREATE INDEX listings_seller ON listings(seller_id, created_at, id);"
    "CREATE INDEX listings_newest ON listings(created_at, id) WHERE status = 'active'"
    "  AND mod_state = 0;"
    "CREATE INDEX listings_price ON listings(currency, price_minor, id) WHERE status = 'active'"
    "  AND mod_state = 0;"
    "CREATE TABLE listing_photos ("
    "  listing_id INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9),"
    "  upload_id INTEGER NOT NULL CHECK (upload_id > 0),"
    "  media TEXT NOT NULL REFERENCES media(hash),"
    "  PRIMARY KEY (listing_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX listing_photos_media ON listing_photos(media);"
    "CREATE TRIGGER unref_listing_photo AFTER DELETE ON listing_photos BEGIN"
    "  INSERT OR IGNORE INTO media_unref VALUES (OLD.media); END;"
    "CREATE TABLE listing_variants ("
    "  id INTEGER PRIMARY KEY,"
    "  listing_id INTEGER NOT NULL REFERENCES listings(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 19),"
    "  size TEXT NOT NULL DEFAULT '' CHECK (length(size) <= 40),"
    "  colour TEXT NOT NULL DEFAULT '' CHECK (length(colour) <= 40),"
    "  stock INTEGER NOT NULL CHECK (stock BETWEEN 0 AND 100000),"
    "  price_minor INTEGER CHECK (price_minor IS NULL OR price_minor BETWEEN 1"
    "    AND 1000000000000000),"
    "  UNIQUE (listing_id, position),"
    "  CHECK (size <> '' OR colour <> '')"
    ") STRICT;"
    "CREATE TABLE reports_v23 ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'person', 'message', 'reel', 'story',"
    "    'listing')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id)"
    ") STRICT;"
    "INSERT INTO reports_v23 SELECT id, reporter_id, kind, item_id, subject_id, reason, text,"
    "  message, created_at, closed_at, outcome FROM reports;"
    "DROP TABLE reports;"
    "ALTER TABLE reports_v23 RENAME TO reports;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 24: a listing's text leaves the index with it (store/textindex.h): the
     * trigger serves every way a listing goes, its seller's delete and an
     * account deletion's cascade alike (text_docs has no foreign key: it
     * serves any kind). Listings written under 23 were never indexed: the
     * marketplace and this step landed in one release.
     * mp_connect_states: a Mercado Pago seller's pending connection, the
     * state sent to the authorization page kept only as its BLAKE2b hash,
     * bound to the session that asked (signing out drops it) and used once
     * (taken by a DELETE). mp_grants: the seller's grant, its access and
     * refresh tokens sealed with PA_SECRETS_KEY (auth/twostep.h: never
     * kept in clear, so no key, no connection) and generation counting the
     * saves, so two refreshes racing cannot both store (a refresh token
     * works once). */
    "CREATE TRIGGER listings_unindex AFTER DELETE ON listings BEGIN"
    "  DELETE FROM text_docs WHERE kind = 'listing' AND ref_id = OLD.id; END;"
    "CREATE TABLE mp_connect_states ("
    "  state_hash BLOB PRIMARY KEY CHECK (length(state_hash) = 32),"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    "  expires_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX mp_connect_states_user ON mp_connect_states(user_id);"
    "CREATE INDEX mp_connect_states_session ON mp_connect_states(session_id);"
    "CREATE TABLE mp_grants ("
    "  user_id INTEGER PRIMARY KEY REFERENCES sellers(user_id) ON DELETE CASCADE,"
    "  mp_user_id TEXT NOT NULL CHECK (length(mp_user_id) BETWEEN 1 AND 63),"
    "  access BLOB NOT NULL CHECK (length(access) BETWEEN 1 AND 512),"
    "  refresh BLOB NOT NULL CHECK (length(refresh) BETWEEN 1 AND 512),"
    "  expires_at INTEGER NOT NULL,"
    "  generation INTEGER NOT NULL CHECK (generation >= 1),"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;",
    /* 25: the marketplace's carts, address book, orders and their ledger
     * (issue 20, items 3–5; web/README.md, "Marketplace"). market_cart_items:
     * a line per listing and variant (0: none) with its quantity and the
     * title it had when added, so a listing that went away still shows by
     * name; no reference to listings, for that reason. market_addresses: the
     * book, erased with the account. market_checkouts number one checkout,
     * market_orders its orders, one per seller, with the address copied (a
     * later edit of the book does not move a parcel), the provider's order
     * and capture, the idempotency key every provider call of the order
     * uses, pay_by (when the reservation lapses) and the times of each step;
     * market_order_items the units and prices as sold (never the client's);
     * market_order_history a row per transition. market_ledger: every money
     * movement of an order in minor units, signed, append-only (triggers),
     * once per (order, event, kind) so a webhook applied twice writes
     * nothing new: at payment buyer_payment = seller_payable + platform_fee,
     * at a refund the refund and both shares reversed. */
    "CREATE TABLE market_cart_items ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  listing_id INTEGER NOT NULL CHECK (listing_id > 0),"
    "  variant_id INTEGER NOT NULL DEFAULT 0 CHECK (variant_id >= 0),"
    "  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),"
    "  title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 120),"
    "  added_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, listing_id, variant_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE market_addresses ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  line1 TEXT NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),"
    "  line2 TEXT NOT NULL DEFAULT '' CHECK (length(line2) <= 200),"
    "  city TEXT NOT NULL CHECK (length(city) BETWEEN 1 AND 80),"
    "  region TEXT NOT NULL DEFAULT '' CHECK (length(region) <= 80),"
    "  postal_code TEXT NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),"
    "  phone TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 30),"
    "  country TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX market_addresses_user ON market_addresses(user_id, id);"
    "CREATE TABLE market_checkouts ("
    "  id INTEGER PRIMARY KEY,"
    "  buyer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE market_orders ("
    "  id INTEGER PRIMARY KEY,"
    "  checkout_id INTEGER NOT NULL REFERENCES market_checkouts(id),"
    "  position INTEGER NOT NULL CHECK (position >= 0),"
    "  buyer_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  seller_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('awaiting_payment', 'paid', 'shipped', 'delivered',"
    "    'completed', 'cancelled')),"
    "  provider TEXT NOT NULL CHECK (provider IN ('paypal', 'mercadopago')),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  total_minor INTEGER NOT NULL CHECK (total_minor > 0),"
    "  fee_minor INTEGER NOT NULL CHECK (fee_minor BETWEEN 0 AND total_minor),"
    "  address TEXT NOT NULL CHECK (substr(address, 1, 1) = '{'),"
    "  idem_key TEXT NOT NULL UNIQUE CHECK (length(idem_key) BETWEEN 16 AND 64),"
    "  pay_id TEXT NOT NULL DEFAULT '',"
    "  approve_url TEXT NOT NULL DEFAULT '',"
    "  capture_id TEXT NOT NULL DEFAULT '',"
    "  refund_id TEXT NOT NULL DEFAULT '',"
    "  carrier TEXT NOT NULL DEFAULT '' CHECK (length(carrier) <= 60),"
    "  tracking TEXT NOT NULL DEFAULT '' CHECK (length(tracking) <= 64),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  pay_by INTEGER NOT NULL,"
    "  paid_at INTEGER,"
    "  shipped_at INTEGER,"
    "  delivered_at INTEGER,"
    "  closed_at INTEGER,"
    "  UNIQUE (checkout_id, position)"
    ") STRICT;"
    "CREATE INDEX market_orders_buyer ON market_orders(buyer_id, created_at, id);"
    "CREATE INDEX market_orders_seller ON market_orders(seller_id, created_at, id);"
    "CREATE INDEX market_orders_state ON market_orders(state, updated_at);"
    "CREATE TABLE market_order_items ("
    "  order_id INTEGER NOT NULL REFERENCES market_orders(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 49),"
    "  listing_id INTEGER NOT NULL CHECK (listing_id > 0),"
    "  variant_id INTEGER NOT NULL DEFAULT 0 CHECK (variant_id >= 0),"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),"
    "  unit_minor INTEGER NOT NULL CHECK (unit_minor > 0),"
    "  quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),"
    "  PRIMARY KEY (order_id, position)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE market_order_history ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES market_orders(id) ON DELETE CASCADE,"
    "  from_state TEXT,"
    "  to_state TEXT NOT NULL,"
    "  actor_id INTEGER,"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX market_order_history_order ON market_order_history(order_id, id);"
    "CREATE TABLE market_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES market_orders(id),"
    "  seller_id INTEGER NOT NULL,"
    "  event TEXT NOT NULL CHECK (event IN ('paid', 'refunded')),"
    "  kind TEXT NOT NULL CHECK (kind IN ('buyer_payment', 'platform_fee', 'seller_payable',"
    "    'refund')),"
    "  amount_minor INTEGER NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (order_id, event, kind)"
    ") STRICT;"
    "CREATE INDEX market_ledger_seller ON market_ledger(seller_id);"
    "CREATE TRIGGER market_ledger_frozen BEFORE UPDATE ON market_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER market_ledger_kept BEFORE DELETE ON market_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
    /* 26: a notice of each step of a marketplace order to the other side
     * (kind 'order', detail.step; orders.h). SQLite cannot alter a CHECK, so
     * notices is rebuilt as in 6 (new table, copy with the ids, drop,
     * rename under legacy_alter_table), its indexes made again, and its
     * push_notice trigger too: a table's own triggers go with it when it is
     * dropped (push_queue rows name notices by id, which the copy keeps). */
    "CREATE TABLE notices_new ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('billing_renewal_failed', 'billing_downgraded',"
    "    'follow_request', 'follow_accepted', 'health_due', 'moderation', 'security', 'order')),"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  detail TEXT NOT NULL DEFAULT '{}' CHECK (length(CAST(detail AS BLOB)) BETWEEN 2 AND 1000"
    "    AND substr(detail, 1, 1) = '{'),"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "INSERT INTO notices_new (id, user_id, kind, actor_id, post_id, pet_id, detail, created_at,"
    "  read) SELECT id, user_id, kind, actor_id, post_id, pet_id, detail, created_at, read"
    "  FROM notices;"
    "DROP TABLE notices;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE notices_new RENAME TO notices;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX notices_list ON notices(user_id, created_at, id);"
    "CREATE INDEX notices_unread ON notices(user_id) WHERE read = 0;"
    "CREATE INDEX notices_actor ON notices(actor_id) WHERE actor_id IS NOT NULL;"
    "CREATE INDEX notices_post ON notices(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notices_pet ON notices(pet_id) WHERE pet_id IS NOT NULL;"
    "CREATE TRIGGER push_notice AFTER INSERT ON notices BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'notice', NEW.id, NEW.created_at, NEW.created_at"
    "  FROM push_subscriptions WHERE user_id = NEW.user_id; END;",
    /* 27: reviews of delivered and completed orders (issue 20, item 6;
     * market_order.h). One per order (order_id unique), written by its
     * buyer, never edited; the seller's one reply beside it (reply and
     * replied_at set together, once). seller_id and buyer_id are copied from
     * the order so the seller's page reads one table; a review goes with
     * either account, and with its order. mod_state as posts' (0 shown, 1
     * hidden, 2 removed): only shown ones are listed or counted. reports
     * gains the 'review' kind (a rebuild, as 23's: SQLite cannot change a
     * CHECK; every earlier kind kept). */
    "CREATE TABLE market_reviews ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL UNIQUE REFERENCES market_orders(id) ON DELETE CASCADE,"
    "  seller_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  buyer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 1000),"
    "  reply TEXT CHECK (reply IS NULL OR length(reply) BETWEEN 1 AND 1000),"
    "  replied_at INTEGER,"
    "  mod_state INTEGER NOT NULL DEFAULT 0 CHECK (mod_state IN (0, 1, 2)),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((reply IS NULL) = (replied_at IS NULL))"
    ") STRICT;"
    "CREATE INDEX market_reviews_seller ON market_reviews(seller_id, created_at, id);"
    "CREATE INDEX market_reviews_buyer ON market_reviews(buyer_id);"
    "CREATE TABLE reports_v27 ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'person', 'message', 'reel', 'story',"
    "    'listing', 'review')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id)"
    ") STRICT;"
    "INSERT INTO reports_v27 SELECT id, reporter_id, kind, item_id, subject_id, reason, text,"
    "  message, created_at, closed_at, outcome FROM reports;"
    "DROP TABLE reports;"
    "ALTER TABLE reports_v27 RENAME TO reports;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 28: shipping in an order's total (issue 20, item 3; market_ship.h).
     * shipping_minor is the part of total_minor the seller charged for
     * delivery (the platform fee is on the items only, so fee_minor stays
     * within total_minor - shipping_minor); shipping_method how the order
     * reaches the buyer ('ship', 'pickup', 'service'; '' for orders made
     * before shipping was charged, which charged none). mp_grants gains an
     * index on mp_user_id: every Mercado Pago notification finds its seller
     * by it (pa_store_market_mp_seller_of). */
    "ALTER TABLE market_orders ADD COLUMN shipping_minor INTEGER NOT NULL DEFAULT 0"
    "  CHECK (shipping_minor >= 0);"
    "ALTER TABLE market_orders ADD COLUMN shipping_method TEXT NOT NULL DEFAULT ''"
    "  CHECK (shipping_method IN ('', 'ship', 'pickup', 'service'));"
    "CREATE INDEX mp_grants_mp_user ON mp_grants(mp_user_id);",
    /* 29: payouts to PayPal sellers in batches (issue 20, item 5; payouts.h,
     * store/payouts.h). market_payouts: one PayPal Payouts batch of one
     * currency, named at PayPal by its id ("pob_<id>": sender_batch_id and
     * PayPal-Request-Id both, so a retry or a restart never pays twice);
     * pending (written, PayPal's answer not recorded: sent again under the
     * same id), sent (PayPal's payout_batch_id kept), done (every item
     * final). market_payout_items: one seller's whole available balance in
     * the batch's currency, the receiver as it was; pending, unclaimed
     * (PayPal holds it for the receiver), paid, returned (back in the
     * balance). market_payout_ledger: what left the available balance (sent,
     * +amount) and came back (returned, -amount), append-only, once per
     * (item, event): a seller's payables = net payouts + balance. A table of
     * its own rather than new kinds in market_ledger, whose rows are each an
     * order's (order_id NOT NULL, its CHECKs): SQLite would rebuild it. No
     * foreign key to users: money records outlive an account (deletion is
     * refused while a payout is in flight). */
    "CREATE TABLE market_payouts ("
    "  id INTEGER PRIMARY KEY,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done')),"
    "  paypal_id TEXT NOT NULL DEFAULT '' CHECK (length(paypal_id) <= 95),"
    "  total_minor INTEGER NOT NULL CHECK (total_minor > 0),"
    "  items INTEGER NOT NULL CHECK (items BETWEEN 1 AND 100),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  checked_at INTEGER NOT NULL,"
    "  CHECK ((state = 'pending') = (paypal_id = ''))"
    ") STRICT;"
    "CREATE INDEX market_payouts_open ON market_payouts(state, checked_at);"
    "CREATE TABLE market_payout_items ("
    "  id INTEGER PRIMARY KEY,"
    "  payout_id INTEGER NOT NULL REFERENCES market_payouts(id),"
    "  seller_id INTEGER NOT NULL,"
    "  receiver TEXT NOT NULL CHECK (length(receiver) BETWEEN 3 AND 254),"
    "  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'unclaimed', 'paid', 'returned')),"
    "  paypal_item_id TEXT NOT NULL DEFAULT '' CHECK (length(paypal_item_id) <= 95),"
    "  error TEXT NOT NULL DEFAULT '' CHECK (length(error) <= 63),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (payout_id, seller_id)"
    ") STRICT;"
    "CREATE INDEX market_payout_items_seller ON market_payout_items(seller_id, created_at, id);"
    "CREATE TABLE market_payout_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL REFERENCES market_payout_items(id),"
    "  seller_id INTEGER NOT NULL,"
    "  event TEXT NOT NULL CHECK (event IN ('sent', 'returned')),"
    "  amount_minor INTEGER NOT NULL CHECK ((event = 'sent' AND amount_minor > 0)"
    "    OR (event = 'returned' AND amount_minor < 0)),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (item_id, event)"
    ") STRICT;"
    "CREATE INDEX market_payout_ledger_seller ON market_payout_ledger(seller_id, currency);"
    "CREATE TRIGGER market_payout_ledger_frozen BEFORE UPDATE ON market_payout_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER market_payout_ledger_kept BEFORE DELETE ON market_payout_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
    /* 30: an order's refund request and dispute (one claim per order, its
     * texts and the moderator's decision; market_order.h says which state
     * goes to which) and the messages between an order's buyer and seller
     * (kept in clear on the server, not end-to-end like chat: a moderator
     * reads them when deciding a dispute). reports gains the 'dispute' kind
     * (a rebuild, as 27's; every earlier kind kept): a dispute waits in the
     * moderation queue as a report of its order by the buyer. */
    "CREATE TABLE market_order_claims ("
    "  order_id INTEGER PRIMARY KEY REFERENCES market_orders(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL CHECK (state IN ('requested', 'declined', 'disputed', 'refunded',"
    "    'released')),"
    "  reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),"
    "  requested_at INTEGER NOT NULL,"
    "  decline_reason TEXT CHECK (decline_reason IS NULL OR length(decline_reason) BETWEEN 1"
    "    AND 1000),"
    "  answered_at INTEGER,"
    "  dispute_text TEXT CHECK (dispute_text IS NULL OR length(dispute_text) BETWEEN 1 AND 1000),"
    "  disputed_at INTEGER,"
    "  seller_answer TEXT CHECK (seller_answer IS NULL OR length(seller_answer) BETWEEN 1 AND"
    "    1000),"
    "  seller_answered_at INTEGER,"
    "  decision TEXT CHECK (decision IS NULL OR decision IN ('refund', 'release')),"
    "  decision_note TEXT NOT NULL DEFAULT '' CHECK (length(decision_note) <= 300),"
    "  decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  closed_at INTEGER,"
    "  CHECK ((dispute_text IS NULL) = (disputed_at IS NULL)),"
    "  CHECK ((seller_answer IS NULL) = (seller_answered_at IS NULL)),"
    "  CHECK ((decline_reason IS NULL) OR (answered_at IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX market_order_claims_state ON market_order_claims(state);"
    "CREATE TABLE market_order_messages ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id INTEGER NOT NULL REFERENCES market_orders(id) ON DELETE CASCADE,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX market_order_messages_order ON market_order_messages(order_id, created_at, id);"
    "CREATE INDEX market_order_messages_author ON market_order_messages(author_id);"
    "CREATE TABLE reports_v28 ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'person', 'message', 'reel', 'story',"
    "    'listing', 'review', 'dispute')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id)"
    ") STRICT;"
    "INSERT INTO reports_v28 SELECT id, reporter_id, kind, item_id, subject_id, reason, text,"
    "  message, created_at, closed_at, outcome FROM reports;"
    "DROP TABLE reports;"
    "ALTER TABLE reports_v28 RENAME TO reports;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 31: self-serve ads (issue 21; web/README.md, "Self-serve ads").
     * advertisers and campaigns, the seed's, grow into accounts of a person
     * (one each: a partial unique index; the row outlives the account, its
     * user_id set NULL, as money records do) and campaigns with their
     * objective, state, CPM bid, budgets and schedule. ad_targets: the
     * targeting lists (empty = everyone). ad_creatives: each a post of the
     * advertiser's own account (posts.campaign_id set, never in an organic
     * listing) with its link and moderators' review. ad_topups: one prepaid
     * top-up from its start (pending, with the idempotency key every
     * provider call reuses) to paid or failed, the provider's fee kept.
     * ad_ledger: every movement of an advertiser's balance, append-only, in
     * thousandths of a minor unit (one impression at a CPM bid of B minor
     * units costs exactly B), each top-up credited once (topup_id UNIQUE),
     * each served ad charged once (serve_id UNIQUE), a refund once per
     * top-up (refund_of UNIQUE); no foreign key to serves or campaigns: the
     * book outlives them. Creatives and serves never reuse an id
     * (AUTOINCREMENT, as PostgreSQL's identity): a closed review names its
     * creative, a spend row its serve, after the row is gone. ad_serves: each
     * sponsored candidate handed to a
     * viewer (its single-use token names the row), for pacing, frequency
     * caps and the report. reports gains the 'ad' kind (a rebuild, as 30's,
     * every earlier kind kept): a creative waits in the moderation queue as
     * its advertiser's own request for review, so for that kind the reporter
     * is the subject. */
    "ALTER TABLE advertisers ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE SET NULL;"
    "ALTER TABLE advertisers ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'"
    "  CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]');"
    "ALTER TABLE advertisers ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE UNIQUE INDEX advertisers_user ON advertisers(user_id) WHERE user_id IS NOT NULL;"
    "ALTER TABLE campaigns ADD COLUMN objective TEXT NOT NULL DEFAULT 'awareness'"
    "  CHECK (objective IN ('awareness', 'traffic'));"
    "ALTER TABLE campaigns ADD COLUMN state TEXT NOT NULL DEFAULT 'draft'"
    "  CHECK (state IN ('draft', 'active', 'paused', 'ended'));"
    "ALTER TABLE campaigns ADD COLUMN bid_cpm_minor INTEGER NOT NULL DEFAULT 0"
    "  CHECK (bid_cpm_minor >= 0);"
    "ALTER TABLE campaigns ADD COLUMN daily_budget_minor INTEGER NOT NULL DEFAULT 0"
    "  CHECK (daily_budget_minor >= 0);"
    "ALTER TABLE campaigns ADD COLUMN total_budget_minor INTEGER NOT NULL DEFAULT 0"
    "  CHECK (total_budget_minor >= 0);"
    "ALTER TABLE campaigns ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD'"
    "  CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]');"
    "ALTER TABLE campaigns ADD COLUMN starts_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE campaigns ADD COLUMN ends_at INTEGER CHECK (ends_at IS NULL OR ends_at > "
    "starts_at);"
    "ALTER TABLE campaigns ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE campaigns ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX campaigns_advertiser ON campaigns(advertiser_id, created_at, id);"
    "CREATE INDEX campaigns_state ON campaigns(state);"
    "CREATE INDEX posts_campaign ON posts(campaign_id) WHERE campaign_id IS NOT NULL;"
    "CREATE TABLE ad_targets ("
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('species', 'tag', 'language', 'country')),"
    "  value TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 40),"
    "  PRIMARY KEY (campaign_id, kind, value)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX ad_targets_value ON ad_targets(kind, value);"
    "CREATE TABLE ad_creatives ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  post_id INTEGER NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE,"
    "  link TEXT NOT NULL CHECK (link = '' OR (length(link) BETWEEN 9 AND 2000"
    "    AND substr(link, 1, 8) = 'https://')),"
    "  review TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'approved', "
    "'rejected')),"
    "  review_note TEXT NOT NULL DEFAULT '' CHECK (length(review_note) <= 300),"
    "  reviewed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  reviewed_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((review = 'pending') = (reviewed_at IS NULL))"
    ") STRICT;"
    "CREATE INDEX ad_creatives_campaign ON ad_creatives(campaign_id, id);"
    "CREATE INDEX ad_creatives_reviewer ON ad_creatives(reviewed_by) WHERE reviewed_by IS NOT NULL;"
    "CREATE TABLE ad_topups ("
    "  id INTEGER PRIMARY KEY,"
    "  advertiser_id INTEGER NOT NULL REFERENCES advertisers(id),"
    "  provider TEXT NOT NULL CHECK (provider IN ('paypal', 'mercadopago')),"
    "  provider_ref TEXT NOT NULL DEFAULT '' CHECK (length(provider_ref) <= 200),"
    "  capture_ref TEXT NOT NULL DEFAULT '' CHECK (length(capture_ref) <= 200),"
    "  approve_url TEXT NOT NULL DEFAULT '' CHECK (length(approve_url) <= 2000),"
    "  idem_key TEXT NOT NULL UNIQUE CHECK (length(idem_key) BETWEEN 16 AND 64),"
    "  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'paid', 'failed')),"
    "  fee_minor INTEGER NOT NULL DEFAULT 0 CHECK (fee_minor >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX ad_topups_advertiser ON ad_topups(advertiser_id, created_at, id);"
    "CREATE INDEX ad_topups_ref ON ad_topups(provider, provider_ref) WHERE provider_ref <> '';"
    "CREATE TABLE ad_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  advertiser_id INTEGER NOT NULL REFERENCES advertisers(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('topup', 'spend', 'refund')),"
    "  amount_milli INTEGER NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  topup_id INTEGER UNIQUE REFERENCES ad_topups(id),"
    "  refund_of INTEGER UNIQUE REFERENCES ad_topups(id),"
    "  serve_id INTEGER UNIQUE,"
    "  campaign_id INTEGER,"
    "  at INTEGER NOT NULL,"
    "  CHECK ((kind = 'topup' AND amount_milli > 0 AND topup_id IS NOT NULL AND serve_id IS NULL"
    "      AND refund_of IS NULL)"
    "    OR (kind = 'spend' AND amount_milli < 0 AND serve_id IS NOT NULL AND campaign_id IS NOT "
    "NULL"
    "      AND topup_id IS NULL AND refund_of IS NULL)"
    "    OR (kind = 'refund' AND amount_milli < 0 AND refund_of IS NOT NULL AND topup_id IS NULL"
    "      AND serve_id IS NULL))"
    ") STRICT;"
    "CREATE INDEX ad_ledger_advertiser ON ad_ledger(advertiser_id, kind);"
    "CREATE INDEX ad_ledger_campaign ON ad_ledger(campaign_id, at) WHERE campaign_id IS NOT NULL;"
    "CREATE TRIGGER ad_ledger_frozen BEFORE UPDATE ON ad_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER ad_ledger_kept BEFORE DELETE ON ad_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TABLE ad_serves ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  creative_id INTEGER REFERENCES ad_creatives(id) ON DELETE SET NULL,"
    "  viewer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  issued_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL CHECK (expires_at > issued_at),"
    "  day TEXT NOT NULL CHECK (length(day) = 10"
    "    AND day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),"
    "  matched TEXT NOT NULL DEFAULT '' CHECK (length(matched) <= 1000),"
    "  impressed_at INTEGER,"
    "  clicked_at INTEGER,"
    "  CHECK (clicked_at IS NULL OR impressed_at IS NOT NULL)"
    ") STRICT;"
    "CREATE INDEX ad_serves_campaign ON ad_serves(campaign_id, day);"
    "CREATE INDEX ad_serves_viewer ON ad_serves(viewer_id, campaign_id, day);"
    "CREATE INDEX ad_serves_creative ON ad_serves(creative_id) WHERE creative_id IS NOT NULL;"
    "CREATE TABLE reports_v31 ("
    "  id INTEGER PRIMARY KEY,"
    "  reporter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('post', 'comment', 'person', 'message', 'reel', 'story',"
    "    'listing', 'review', 'dispute', 'ad')),"
    "  item_id INTEGER NOT NULL CHECK (item_id > 0),"
    "  subject_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'hate', 'violence',"
    "    'nudity', 'animal_cruelty', 'scam', 'impersonation', 'other')),"
    "  text TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 500),"
    "  message TEXT CHECK (message IS NULL OR length(message) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 20),"
    "  CHECK ((kind = 'message') = (message IS NOT NULL)),"
    "  CHECK ((closed_at IS NULL) = (outcome IS NULL)),"
    "  CHECK (reporter_id <> subject_id OR kind = 'ad')"
    ") STRICT;"
    "INSERT INTO reports_v31 SELECT id, reporter_id, kind, item_id, subject_id, reason, text,"
    "  message, created_at, closed_at, outcome FROM reports;"
    "DROP TABLE reports;"
    "ALTER TABLE reports_v31 RENAME TO reports;"
    "CREATE UNIQUE INDEX reports_open ON reports(reporter_id, kind, item_id)"
    "  WHERE closed_at IS NULL;"
    "CREATE INDEX reports_queue ON reports(kind, item_id, created_at) WHERE closed_at IS NULL;"
    "CREATE INDEX reports_subject ON reports(subject_id);",
    /* 32: the affiliate program's joining, links and attribution (issue
     * 21). affiliates is who joined (one row per person, the code in their
     * links). aff_clicks is every counted visit of /r/{code}: day is the UTC
     * day (at / 86400) the click limit and the monthly stats group by;
     * source_hash is a keyed hash of the visitor's network prefix (never the
     * address), 32 hex digits. aff_referrals is the decision at sign-up, one
     * per new person: attributed, or refused with its reason (kept so the
     * affiliate sees why); clicked_at is the first-touch click, attributed_at
     * when the sign-up was decided, source_hash the sign-up's network prefix
     * (the velocity check counts them). Commissions (aff-money) build on
     * these. */
    "CREATE TABLE affiliates ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 6 AND 16"
    "    AND code NOT GLOB '*[^a-z0-9]*'),"
    "  kind TEXT NOT NULL CHECK (kind IN ('person', 'vet', 'shelter', 'shop')),"
    "  joined_at INTEGER NOT NULL,"
    "  payout_email TEXT CHECK (payout_email IS NULL OR length(payout_email) BETWEEN 3 AND 254)"
    ") STRICT;"
    "CREATE TABLE aff_clicks ("
    "  id INTEGER PRIMARY KEY,"
    "  affiliate_id INTEGER NOT NULL REFERENCES affiliates(user_id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  day INTEGER NOT NULL CHECK (day >= 0),"
    "  source_hash TEXT NOT NULL CHECK (length(source_hash) = 32"
    "    AND source_hash NOT GLOB '*[^0-9a-f]*')"
    ") STRICT;"
    "CREATE INDEX aff_clicks_affiliate ON aff_clicks(affiliate_id, day);"
    "CREATE INDEX aff_clicks_source ON aff_clicks(affiliate_id, source_hash, day);"
    "CREATE TABLE aff_referrals ("
    "  referred_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  affiliate_id INTEGER NOT NULL REFERENCES affiliates(user_id) ON DELETE CASCADE,"
    "  clicked_at INTEGER NOT NULL,"
    "  attributed_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('attributed', 'refused')),"
    "  reason TEXT CHECK (reason IS NULL OR reason IN ('self_referral', 'velocity', 'expired',"
    "    'same_payment_account')),"
    "  source_hash TEXT NOT NULL CHECK (length(source_hash) = 32"
    "    AND source_hash NOT GLOB '*[^0-9a-f]*'),"
    "  CHECK ((state = 'refused') = (reason IS NOT NULL)),"
    "  CHECK (referred_id <> affiliate_id)"
    ") STRICT;"
    "CREATE INDEX aff_referrals_affiliate ON aff_referrals(affiliate_id, attributed_at);"
    "CREATE INDEX aff_referrals_source ON aff_referrals(affiliate_id, source_hash, attributed_at);",
    /* 33: the affiliates' commissions and their payouts (issue 21, items
     * 3 and 4; commission.h, store/commission.h). aff_commissions: the
     * commission ledger, append-only, one row per provider movement (UNIQUE
     * movement: a replayed webhook writes nothing): accrual (base > 0: what
     * the platform earned from a referred person), reversal (base < 0, its
     * accrual's month and release_at; charge names the accrual), refused
     * (base > 0, reason). aff_months: a month closed for an affiliate once,
     * the count on its last day and the rate it set. market_payout_items
     * gains payee: a seller's balance or an affiliate's commissions, one
     * payee kind per batch (payouts.c's batcher serves both);
     * aff_payout_ledger is market_payout_ledger for affiliates (so neither
     * balance sees the other's). No foreign keys to users: money records
     * outlive an account. */
    "CREATE TABLE aff_commissions ("
    "  id INTEGER PRIMARY KEY,"
    "  affiliate_id INTEGER NOT NULL,"
    "  referred_id INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('accrual', 'reversal', 'refused')),"
    "  source TEXT NOT NULL CHECK (source IN ('subscription', 'marketplace')),"
    "  movement TEXT NOT NULL UNIQUE CHECK (length(movement) BETWEEN 1 AND 120),"
    "  charge TEXT NOT NULL CHECK (length(charge) BETWEEN 1 AND 120),"
    "  base_minor INTEGER NOT NULL CHECK (base_minor <> 0 AND (kind = 'reversal') = (base_minor < "
    "0)),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),"
    "  month TEXT NOT NULL CHECK (length(month) = 7 AND month GLOB "
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]'),"
    "  at INTEGER NOT NULL,"
    "  release_at INTEGER NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '' CHECK ((kind = 'refused') = (reason <> '')"
    "    AND reason IN ('', 'same_payment_account'))"
    ") STRICT;"
    "CREATE INDEX aff_commissions_affiliate ON aff_commissions(affiliate_id, month);"
    "CREATE INDEX aff_commissions_charge ON aff_commissions(charge);"
    "CREATE TRIGGER aff_commissions_frozen BEFORE UPDATE ON aff_commissions BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER aff_commissions_kept BEFORE DELETE ON aff_commissions BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TABLE aff_months ("
    "  affiliate_id INTEGER NOT NULL,"
    "  month TEXT NOT NULL CHECK (length(month) = 7),"
    "  active INTEGER NOT NULL CHECK (active >= 0),"
    "  rate_bp INTEGER NOT NULL CHECK (rate_bp IN (2500, 3000, 3500)),"
    "  closed_at INTEGER NOT NULL,"
    "  PRIMARY KEY (affiliate_id, month)"
    ") STRICT;"
    "CREATE TRIGGER aff_months_frozen BEFORE UPDATE ON aff_months BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER aff_months_kept BEFORE DELETE ON aff_months BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "ALTER TABLE market_payout_items ADD COLUMN payee TEXT NOT NULL DEFAULT 'seller'"
    "  CHECK (payee IN ('seller', 'affiliate'));"
    "CREATE INDEX market_payout_items_payee ON market_payout_items(payee, seller_id, currency);"
    "CREATE TABLE aff_payout_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  item_id INTEGER NOT NULL REFERENCES market_payout_items(id),"
    "  affiliate_id INTEGER NOT NULL,"
    "  event TEXT NOT NULL CHECK (event IN ('sent', 'returned')),"
    "  amount_minor INTEGER NOT NULL CHECK ((event = 'sent' AND amount_minor > 0)"
    "    OR (event = 'returned' AND amount_minor < 0)),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  at INTEGER NOT NULL,"
    "  UNIQUE (item_id, event)"
    ") STRICT;"
    "CREATE INDEX aff_payout_ledger_affiliate ON aff_payout_ledger(affiliate_id, currency);"
    "CREATE TRIGGER aff_payout_ledger_frozen BEFORE UPDATE ON aff_payout_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER aff_payout_ledger_kept BEFORE DELETE ON aff_payout_ledger BEGIN"
    "  SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
    /* 34: creatives that are reels (issue 21, "Self-serve ads" item 1).
     * reels.campaign_id: a reel of its advertiser's own account made for a
     * campaign, never in an organic listing (it goes with its campaign).
     * ad_creatives gains reel_id and its post_id becomes nullable, exactly
     * one of the two set: a rebuild, which keeps every id and the
     * AUTOINCREMENT high-water mark (sqlite_sequence copied before the old
     * table and its row go), so a deleted creative's id is never reused
     * and a closed review or a spend row names only its own. */
    "ALTER TABLE reels ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE CASCADE;"
    "CREATE INDEX reels_campaign ON reels(campaign_id) WHERE campaign_id IS NOT NULL;"
    "CREATE TABLE ad_creatives_v34 ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  post_id INTEGER UNIQUE REFERENCES posts(id) ON DELETE CASCADE,"
    "  reel_id INTEGER UNIQUE REFERENCES reels(id) ON DELETE CASCADE,"
    "  link TEXT NOT NULL CHECK (link = '' OR (length(link) BETWEEN 9 AND 2000"
    "    AND substr(link, 1, 8) = 'https://')),"
    "  review TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'approved', "
    "'rejected')),"
    "  review_note TEXT NOT NULL DEFAULT '' CHECK (length(review_note) <= 300),"
    "  reviewed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  reviewed_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((review = 'pending') = (reviewed_at IS NULL)),"
    "  CHECK ((post_id IS NULL) <> (reel_id IS NULL))"
    ") STRICT;"
    "INSERT INTO ad_creatives_v34 (id, campaign_id, post_id, reel_id, link, review, review_note,"
    "  reviewed_by, reviewed_at, created_at)"
    "  SELECT id, campaign_id, post_id, NULL, link, review, review_note, reviewed_by, reviewed_at,"
    "  created_at FROM ad_creatives;"
    "DELETE FROM sqlite_sequence WHERE name = 'ad_creatives_v34';"
    "INSERT INTO sqlite_sequence (name, seq)"
    "  SELECT 'ad_creatives_v34', seq FROM sqlite_sequence WHERE name = 'ad_creatives';"
    "DROP TABLE ad_creatives;"
    "ALTER TABLE ad_creatives_v34 RENAME TO ad_creatives;"
    "CREATE INDEX ad_creatives_campaign ON ad_creatives(campaign_id, id);"
    "CREATE INDEX ad_creatives_reviewer ON ad_creatives(reviewed_by) WHERE reviewed_by IS NOT "
    "NULL;",
    /* 35: one identity per person (issue 22): each account's current signed
     * device list (core/src/chat/chat.md), as its account identity key
     * signed it. The server verifies a list before it stores one, and keeps
     * only the newest (a higher version replaces it); contacts check the
     * signature themselves, so this row is what they are served, not what
     * they trust. */
    "CREATE TABLE chat_device_lists ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  aik BLOB NOT NULL CHECK (length(aik) = 32),"
    "  version INTEGER NOT NULL CHECK (version >= 0),"
    "  list BLOB NOT NULL CHECK (length(list) BETWEEN 146 AND 274),"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;",
    /* 36: message requests and reports of several chat messages (issue 22,
     * items 6; web/README.md, "Chat" and "Moderation"). chat_accepts: user
     * accepted peer's messages (explicitly, or by writing to them), so
     * peer's messages are no longer requests. reports.messages: the chat
     * messages a reporter selected, as the server wrote them (a JSON array
     * of {id, from, at, text}, the reporter's word like reports.message). */
    "CREATE TABLE chat_accepts ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  peer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (user_id, peer_id),"
    "  CHECK (user_id <> peer_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX chat_accepts_peer ON chat_accepts(peer_id);"
    "ALTER TABLE reports ADD COLUMN messages TEXT"
    "  CHECK (messages IS NULL OR (kind = 'message' AND length(messages) BETWEEN 2 AND 100000));",
    /* 37: groups (issue 22, item 4; web/README.md "Chat", "Groups"). The
     * server knows who is in a group, to route envelopes and say who may
     * change it; the name and every message stay on the members' devices,
     * which apply only changes an admin's device sent them (chat.md).
     * chat_group_members.id is the join order: the oldest member is the
     * lowest id (who becomes admin when the last one goes). last_seq numbers
     * the group's messages as chat_convs.last_seq numbers a pair's; a
     * chat_messages row with group_id belongs to the group's numbering. */
    "CREATE TABLE chat_groups ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  last_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE chat_group_members ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  group_id INTEGER NOT NULL REFERENCES chat_groups(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'member')),"
    "  joined_at INTEGER NOT NULL,"
    "  UNIQUE (group_id, user_id)"
    ") STRICT;"
    "CREATE INDEX chat_group_members_user ON chat_group_members(user_id, group_id);"
    "ALTER TABLE chat_messages ADD COLUMN group_id INTEGER REFERENCES chat_groups(id)"
    "  ON DELETE CASCADE;"
    "CREATE INDEX chat_messages_group ON chat_messages(group_id) WHERE group_id IS NOT NULL;",
    /* 38: calls (issue 22, "Calls"; web/README.md). Who called whom, when,
     * and how it ended: nothing else — the offer, answer and candidates go
     * end-to-end encrypted through the relay and are never stored in the
     * clear. state 'ringing' until POST .../end; ended_at set exactly then.
     * A call rings the callee's push subscriptions (kind 'call', its id):
     * push_queue is rebuilt for the new kind (the CHECK), ids kept. */
    "CREATE TABLE calls ("
    "  id INTEGER PRIMARY KEY,"
    "  caller INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  callee INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  started_at INTEGER NOT NULL,"
    "  ended_at INTEGER,"
    "  state TEXT NOT NULL DEFAULT 'ringing' CHECK (state IN ('ringing', 'answered', 'declined', "
    "'missed', 'ended')),"
    "  CHECK (caller <> callee),"
    "  CHECK ((state = 'ringing') = (ended_at IS NULL))"
    ") STRICT;"
    "CREATE INDEX calls_caller ON calls(caller, started_at);"
    "CREATE INDEX calls_callee ON calls(callee, started_at);"
    "CREATE TABLE push_queue_v38 ("
    "  id INTEGER PRIMARY KEY,"
    "  subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('notification', 'notice', 'chat', 'call')),"
    "  ref_id INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "INSERT INTO push_queue_v38 SELECT id, subscription_id, kind, ref_id, attempts, next_at, "
    "created_at FROM push_queue;"
    "DROP TABLE push_queue;"
    /* The triggers that fill the queue name it: in between it does not
     * exist, which a modern RENAME refuses (it re-checks every trigger);
     * the legacy one just renames, and the triggers find it again. */
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE push_queue_v38 RENAME TO push_queue;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX push_queue_due ON push_queue(next_at, id);"
    "CREATE INDEX push_queue_sub ON push_queue(subscription_id, kind, ref_id);"
    "CREATE TRIGGER push_call AFTER INSERT ON calls BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'call', NEW.id, NEW.started_at, NEW.started_at"
    "  FROM push_subscriptions WHERE user_id = NEW.callee; END;",
    /* 39: chat robustness (issue 22, item 3; web/README.md, "Chat").
     * chat_messages.failed: the recipient device could not decrypt the
     * message; its row is then a receipt that says "failed" rather than
     * "delivered" (body cleared, delivered_at set, like an ack).
     * chat_starts: one row per session a user started with another user
     * (named by the start's base key EK_A, so the start data every message
     * carries until the first reply counts once), kept an hour, so the
     * relay's per-pair limit survives a restart. chat_devices.identity_gen: the highest
     * identity-vault generation the device reported, so a profile restored from an older copy is
     * told it is older than the server's count. */
    "ALTER TABLE chat_messages ADD COLUMN failed INTEGER NOT NULL DEFAULT 0"
    "  CHECK (failed IN (0, 1));"
    "CREATE TABLE chat_starts ("
    "  sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  recipient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  base BLOB NOT NULL CHECK (length(base) BETWEEN 1 AND 32),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (sender_id, recipient_id, base)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX chat_starts_pair ON chat_starts(sender_id, recipient_id, created_at);"
    "CREATE INDEX chat_starts_recipient ON chat_starts(recipient_id);"
    "ALTER TABLE chat_devices ADD COLUMN identity_gen INTEGER NOT NULL DEFAULT 0"
    "  CHECK (identity_gen >= 0);",
    /* 40: linking a device and naming devices (issue 22, "Devices";
     * core/src/chat/chat.md "Linking a device"). chat_devices.name is the
     * person's own name for a device (1..40 characters). chat_links holds a
     * new device's link request (opaque, 97 bytes) until one of the person's
     * devices answers it once (the response, opaque, 283..411 bytes); both
     * go with the device that asked. chat_messages.peer_id is set on a
     * copy of a message for one of its sender's own other devices (the
     * person the message went to); NULL on everything else. */
    "ALTER TABLE chat_devices ADD COLUMN name TEXT"
    "  CHECK (name IS NULL OR length(name) BETWEEN 1 AND 40);"
    "CREATE TABLE chat_links ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  device_id INTEGER NOT NULL REFERENCES chat_devices(id) ON DELETE CASCADE,"
    "  request BLOB NOT NULL CHECK (length(request) = 97),"
    "  response BLOB CHECK (response IS NULL OR length(response) BETWEEN 283 AND 411),"
    "  approved_at INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((response IS NULL) = (approved_at IS NULL))"
    ") STRICT;"
    "CREATE INDEX chat_links_user ON chat_links(user_id, created_at);"
    "CREATE INDEX chat_links_device ON chat_links(device_id);"
    "ALTER TABLE chat_messages ADD COLUMN peer_id INTEGER REFERENCES users(id) ON DELETE CASCADE;",
    /* 41: the help center (issue 23; store/help.h). One row per article and
     * locale, loaded from the help folder at start (digest: SHA-256 of its
     * fields, so an unchanged article is not written again); position is
     * its order in the folder. The *_terms columns hold the analyzer's
     * terms (search/search.h), each with the article's locale (letters and
     * digits only) and U+E000 in front, so FTS5 counts a term's documents
     * in one locale only (IDF per locale); terms_len is the number of
     * terms of the four, PostgreSQL's BM25 length. help_fts indexes them
     * as external content kept by triggers, with text_fts's tokenizer
     * (U+E000 is Co, kept inside a token). */
    "CREATE TABLE help_articles ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 47 AND slug NOT GLOB '*[^a-z0-9-]*'),"
    "  locale TEXT NOT NULL CHECK (length(locale) BETWEEN 2 AND 15),"
    "  section TEXT NOT NULL CHECK (length(section) BETWEEN 1 AND 31),"
    "  section_title TEXT NOT NULL CHECK (length(CAST(section_title AS BLOB)) <= 255),"
    "  position INTEGER NOT NULL,"
    "  title TEXT NOT NULL CHECK (length(CAST(title AS BLOB)) BETWEEN 1 AND 255),"
    "  summary TEXT NOT NULL CHECK (length(CAST(summary AS BLOB)) <= 511),"
    "  body TEXT NOT NULL CHECK (length(CAST(body AS BLOB)) <= 8191),"
    "  keywords TEXT NOT NULL CHECK (length(CAST(keywords AS BLOB)) <= 2047),"
    "  title_terms TEXT NOT NULL,"
    "  keyword_terms TEXT NOT NULL,"
    "  summary_terms TEXT NOT NULL,"
    "  body_terms TEXT NOT NULL,"
    "  terms_len INTEGER NOT NULL CHECK (terms_len >= 0),"
    "  digest BLOB NOT NULL CHECK (length(digest) = 32),"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (slug, locale)"
    ") STRICT;"
    "CREATE INDEX help_articles_locale ON help_articles(locale, position);"
    "CREATE VIRTUAL TABLE help_fts USING fts5(title_terms, keyword_terms, summary_terms,"
    "  body_terms, content = 'help_articles', content_rowid = 'id',"
    "  tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* M* Co''');"
    "CREATE TRIGGER help_articles_insert AFTER INSERT ON help_articles BEGIN"
    "  INSERT INTO help_fts (rowid, title_terms, keyword_terms, summary_terms, body_terms)"
    "  VALUES (NEW.id, NEW.title_terms, NEW.keyword_terms, NEW.summary_terms, NEW.body_terms);"
    "  END;"
    "CREATE TRIGGER help_articles_delete AFTER DELETE ON help_articles BEGIN"
    "  INSERT INTO help_fts (help_fts, rowid, title_terms, keyword_terms, summary_terms,"
    "  body_terms) VALUES ('delete', OLD.id, OLD.title_terms, OLD.keyword_terms,"
    "  OLD.summary_terms, OLD.body_terms); END;"
    "CREATE TRIGGER help_articles_update AFTER UPDATE ON help_articles BEGIN"
    "  INSERT INTO help_fts (help_fts, rowid, title_terms, keyword_terms, summary_terms,"
    "  body_terms) VALUES ('delete', OLD.id, OLD.title_terms, OLD.keyword_terms,"
    "  OLD.summary_terms, OLD.body_terms);"
    "  INSERT INTO help_fts (rowid, title_terms, keyword_terms, summary_terms, body_terms)"
    "  VALUES (NEW.id, NEW.title_terms, NEW.keyword_terms, NEW.summary_terms, NEW.body_terms);"
    "  END;",
    /* 42: the assistant's questions (issue 23, web/README.md "Assistant").
     * help_asks keeps what was asked and answered for PA_HELP_RETENTION_DAYS
     * (the chores delete older rows) and goes with its person's account;
     * user_id is NULL for a signed-out asker, whose browser holds the ask's
     * token (token is its SHA-256, for the stream's URL). articles: the slugs
     * shown, comma-separated; tools: the names of the tools run. streamed: 1
     * once the stream was taken, so one ask costs one model call at most. */
    "CREATE TABLE help_asks ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  token BLOB CHECK (token IS NULL OR length(token) = 32),"
    "  locale TEXT NOT NULL CHECK (length(locale) BETWEEN 2 AND 15),"
    "  question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 500),"
    "  answer TEXT NOT NULL DEFAULT '' CHECK (length(answer) <= 8192),"
    "  articles TEXT NOT NULL DEFAULT '' CHECK (length(articles) <= 200),"
    "  used_model INTEGER NOT NULL DEFAULT 0 CHECK (used_model IN (0, 1)),"
    "  tools TEXT NOT NULL DEFAULT '' CHECK (length(tools) <= 100),"
    "  streamed INTEGER NOT NULL DEFAULT 0 CHECK (streamed IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK ((user_id IS NULL) = (token IS NOT NULL))"
    ") STRICT;"
    "CREATE INDEX help_asks_created ON help_asks(created_at);"
    "CREATE INDEX help_asks_user ON help_asks(user_id) WHERE user_id IS NOT NULL;",
    /* 43 (issue 23, hinbox): support
     * conversations (web/README.md, "Support"). A person has at most one
     * conversation that is not resolved (support_conversations_active), so a
     * second hand-off joins it. plus is the person's Plus when they opened it
     * or last wrote (the queue's order: Plus first, then the longest waiting by
     * last_person_at). snoozed_until is set exactly while snoozed, resolved_at
     * while resolved, rated_at with rating (once). support_messages: 'note' is
     * an agent's internal note, never shown to the person; author_id is NULL for
     * the assistant and the system, and once its account is gone. chatwoot_id
     * is the mirror's id (schema 44). support_canned: the agents' canned
     * replies, a shortcut each. notices gains the kind 'support_reply' (a
     * rebuild, as 26's: SQLite cannot alter a CHECK; ids kept, its indexes and
     * push_notice trigger made again). */
    "CREATE TABLE support_conversations ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL DEFAULT 'open'"
    "    CHECK (state IN ('open', 'pending', 'snoozed', 'resolved')),"
    "  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  plus INTEGER NOT NULL DEFAULT 0 CHECK (plus IN (0, 1)),"
    "  snoozed_until INTEGER,"
    "  locale TEXT NOT NULL CHECK (length(locale) BETWEEN 2 AND 16),"
    "  subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  last_person_at INTEGER NOT NULL,"
    "  resolved_at INTEGER,"
    "  rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),"
    "  rating_comment TEXT CHECK (rating_comment IS NULL OR length(rating_comment) BETWEEN 1 AND "
    "1000),"
    "  rated_at INTEGER,"
    "  chatwoot_id INTEGER,"
    "  CHECK ((state = 'snoozed') = (snoozed_until IS NOT NULL)),"
    "  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),"
    "  CHECK ((rating IS NULL) = (rated_at IS NULL)),"
    "  CHECK (rating_comment IS NULL OR rating IS NOT NULL)"
    ") STRICT;"
    "CREATE UNIQUE INDEX support_conversations_active ON support_conversations(user_id)"
    "  WHERE state <> 'resolved';"
    "CREATE INDEX support_conversations_user ON support_conversations(user_id, updated_at);"
    "CREATE INDEX support_conversations_queue ON support_conversations(state, plus, "
    "last_person_at);"
    "CREATE INDEX support_conversations_assignee ON support_conversations(assignee_id)"
    "  WHERE assignee_id IS NOT NULL;"
    "CREATE INDEX support_conversations_snoozed ON support_conversations(snoozed_until)"
    "  WHERE snoozed_until IS NOT NULL;"
    "CREATE TABLE support_messages ("
    "  id INTEGER PRIMARY KEY,"
    "  conversation_id INTEGER NOT NULL REFERENCES support_conversations(id) ON DELETE CASCADE,"
    "  author TEXT NOT NULL"
    "    CHECK (author IN ('person', 'agent', 'note', 'assistant', 'system')),"
    "  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK (author_id IS NULL OR author IN ('person', 'agent', 'note'))"
    ") STRICT;"
    "CREATE INDEX support_messages_conversation ON support_messages(conversation_id, id);"
    "CREATE INDEX support_messages_author ON support_messages(author_id)"
    "  WHERE author_id IS NOT NULL;"
    "CREATE TABLE support_canned ("
    "  id INTEGER PRIMARY KEY,"
    "  shortcut TEXT NOT NULL UNIQUE CHECK (length(shortcut) BETWEEN 1 AND 32),"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
    "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),"
    "  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX support_canned_creator ON support_canned(created_by)"
    "  WHERE created_by IS NOT NULL;"
    "CREATE TABLE notices_new ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('billing_renewal_failed', 'billing_downgraded',"
    "    'follow_request', 'follow_accepted', 'health_due', 'moderation', 'security', 'order',"
    "    'support_reply')),"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  detail TEXT NOT NULL DEFAULT '{}' CHECK (length(CAST(detail AS BLOB)) BETWEEN 2 AND 1000"
    "    AND substr(detail, 1, 1) = '{'),"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "INSERT INTO notices_new (id, user_id, kind, actor_id, post_id, pet_id, detail, created_at,"
    "  read) SELECT id, user_id, kind, actor_id, post_id, pet_id, detail, created_at, read"
    "  FROM notices;"
    "DROP TABLE notices;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE notices_new RENAME TO notices;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX notices_list ON notices(user_id, created_at, id);"
    "CREATE INDEX notices_unread ON notices(user_id) WHERE read = 0;"
    "CREATE INDEX notices_actor ON notices(actor_id) WHERE actor_id IS NOT NULL;"
    "CREATE INDEX notices_post ON notices(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notices_pet ON notices(pet_id) WHERE pet_id IS NOT NULL;"
    "CREATE TRIGGER push_notice AFTER INSERT ON notices BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'notice', NEW.id, NEW.created_at, NEW.created_at"
    "  FROM push_subscriptions WHERE user_id = NEW.user_id; END;",
    /* 44 (issue 23, hchatwoot): the
     * Chatwoot mirror (web/README.md, "Chatwoot"). chatwoot_contacts: the person's
     * contact there and its contact inbox's source_id. support_conversations gains
     * chatwoot_status_at (the newest Chatwoot status applied: an older webhook is
     * ignored); support_messages.chatwoot_id is the Chatwoot message id, mirrored
     * out or come back (unique: a replayed webhook is applied once).
     * chatwoot_outbox: a message to mirror, tried again at next_at after attempts
     * failures (the worker's back-off). */
    "ALTER TABLE support_conversations ADD COLUMN chatwoot_status_at INTEGER;"
    "CREATE UNIQUE INDEX support_conversations_chatwoot ON support_conversations(chatwoot_id)"
    "  WHERE chatwoot_id IS NOT NULL;"
    "ALTER TABLE support_messages ADD COLUMN chatwoot_id INTEGER;"
    "CREATE UNIQUE INDEX support_messages_chatwoot ON support_messages(chatwoot_id)"
    "  WHERE chatwoot_id IS NOT NULL;"
    "CREATE TABLE chatwoot_contacts ("
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
    "  contact_id INTEGER NOT NULL CHECK (contact_id > 0),"
    "  source_id TEXT NOT NULL CHECK (length(source_id) BETWEEN 1 AND 255)"
    ") STRICT;"
    "CREATE TABLE chatwoot_outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  message_id INTEGER NOT NULL UNIQUE REFERENCES support_messages(id) ON DELETE CASCADE,"
    "  conversation_id INTEGER NOT NULL REFERENCES support_conversations(id) ON DELETE CASCADE,"
    "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
    "  next_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX chatwoot_outbox_due ON chatwoot_outbox(next_at, id);"
    "CREATE INDEX chatwoot_outbox_conversation ON chatwoot_outbox(conversation_id);",
    /* 45 (issue 24, lapi): live streaming (web/README.md, "Live").
     * lives: one broadcast of a person with a pet through a Janus VideoRoom
     * room of ours (instance, room, room_secret) that the person publishes
     * into with feed; state starting -> live (first on air) -> ended, at most
     * one not ended per person (the partial unique index is the guard two
     * racing starts meet). seen_at: the watchdog last saw the feed
     * publishing. keep + replay_state + reel_id: the replay (lane lrec).
     * live_comments: removed ones stay (removed_at, removed_by) for the
     * record. live_blocks: people the broadcaster keeps out of this live.
     * reels gains kind (replay: a kept live, bound by the live's limits, not
     * the upload's), duration_ms and live_id. notices gains the kinds 'live'
     * and 'live_replay' (rebuilt as in 43, every earlier kind kept). */
    "CREATE TABLE lives ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  pet_id INTEGER NOT NULL REFERENCES pets(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 80),"
    "  state TEXT NOT NULL DEFAULT 'starting' CHECK (state IN ('starting', 'live', 'ended')),"
    "  instance TEXT NOT NULL CHECK (length(instance) BETWEEN 1 AND 15),"
    "  room INTEGER NOT NULL CHECK (room > 0),"
    "  room_secret TEXT NOT NULL CHECK (length(room_secret) BETWEEN 1 AND 128),"
    "  feed INTEGER NOT NULL CHECK (feed > 0),"
    "  created_at INTEGER NOT NULL,"
    "  started_at INTEGER,"
    "  seen_at INTEGER,"
    "  ended_at INTEGER,"
    "  end_reason TEXT CHECK (end_reason IN ('owner', 'moderator', 'lost', 'max', 'failed')),"
    "  keep INTEGER NOT NULL DEFAULT 0 CHECK (keep IN (0, 1)),"
    "  replay_state TEXT NOT NULL DEFAULT 'none'"
    "    CHECK (replay_state IN ('none', 'pending', 'processing', 'ready', 'failed')),"
    "  reel_id INTEGER REFERENCES reels(id) ON DELETE SET NULL,"
    "  viewers_peak INTEGER NOT NULL DEFAULT 0 CHECK (viewers_peak >= 0),"
    "  hearts INTEGER NOT NULL DEFAULT 0 CHECK (hearts >= 0),"
    "  comments INTEGER NOT NULL DEFAULT 0 CHECK (comments >= 0),"
    "  CHECK ((state = 'ended') = (ended_at IS NOT NULL)),"
    "  CHECK ((state = 'ended') = (end_reason IS NOT NULL)),"
    "  CHECK (state = 'starting' OR started_at IS NOT NULL OR state = 'ended')"
    ") STRICT;"
    "CREATE UNIQUE INDEX lives_active ON lives(user_id) WHERE state <> 'ended';"
    "CREATE INDEX lives_user ON lives(user_id, created_at);"
    "CREATE INDEX lives_pet ON lives(pet_id);"
    "CREATE INDEX lives_state ON lives(state) WHERE state <> 'ended';"
    "CREATE INDEX lives_replay ON lives(replay_state) WHERE replay_state IN ('pending', "
    "'processing');"
    "CREATE INDEX lives_reel ON lives(reel_id) WHERE reel_id IS NOT NULL;"
    "CREATE TABLE live_comments ("
    "  id INTEGER PRIMARY KEY,"
    "  live_id INTEGER NOT NULL REFERENCES lives(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 300),"
    "  created_at INTEGER NOT NULL,"
    "  removed_at INTEGER,"
    "  removed_by INTEGER REFERENCES users(id) ON DELETE SET NULL"
    ") STRICT;"
    "CREATE INDEX live_comments_live ON live_comments(live_id, id);"
    "CREATE INDEX live_comments_user ON live_comments(user_id);"
    "CREATE INDEX live_comments_remover ON live_comments(removed_by) WHERE removed_by IS NOT NULL;"
    "CREATE TABLE live_blocks ("
    "  live_id INTEGER NOT NULL REFERENCES lives(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (live_id, user_id)"
    ") STRICT;"
    "CREATE INDEX live_blocks_user ON live_blocks(user_id);"
    "ALTER TABLE reels ADD COLUMN kind TEXT NOT NULL DEFAULT 'reel' CHECK (kind IN ('reel', "
    "'replay'));"
    "ALTER TABLE reels ADD COLUMN duration_ms INTEGER"
    "  CHECK (duration_ms IS NULL OR duration_ms >= 0);"
    /* No foreign key: lives.reel_id points the other way, and a cycle of keys is what
     * petamigos-port-db cannot order. A replay goes with its live anyway: both
     * cascade from the same person and pet. */
    "ALTER TABLE reels ADD COLUMN live_id INTEGER;"
    "CREATE INDEX reels_live ON reels(live_id) WHERE live_id IS NOT NULL;"
    "CREATE TABLE notices_new ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('billing_renewal_failed', 'billing_downgraded',"
    "    'follow_request', 'follow_accepted', 'health_due', 'moderation', 'security', 'order',"
    "    'support_reply', 'live', 'live_replay')),"
    "  actor_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  post_id INTEGER REFERENCES posts(id) ON DELETE CASCADE,"
    "  pet_id INTEGER REFERENCES pets(id) ON DELETE CASCADE,"
    "  detail TEXT NOT NULL DEFAULT '{}' CHECK (length(CAST(detail AS BLOB)) BETWEEN 2 AND 1000"
    "    AND substr(detail, 1, 1) = '{'),"
    "  created_at INTEGER NOT NULL,"
    "  read INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))"
    ") STRICT;"
    "INSERT INTO notices_new (id, user_id, kind, actor_id, post_id, pet_id, detail, created_at,"
    "  read) SELECT id, user_id, kind, actor_id, post_id, pet_id, detail, created_at, read"
    "  FROM notices;"
    "DROP TABLE notices;"
    "PRAGMA legacy_alter_table = ON;"
    "ALTER TABLE notices_new RENAME TO notices;"
    "PRAGMA legacy_alter_table = OFF;"
    "CREATE INDEX notices_list ON notices(user_id, created_at, id);"
    "CREATE INDEX notices_unread ON notices(user_id) WHERE read = 0;"
    "CREATE INDEX notices_actor ON notices(actor_id) WHERE actor_id IS NOT NULL;"
    "CREATE INDEX notices_post ON notices(post_id) WHERE post_id IS NOT NULL;"
    "CREATE INDEX notices_pet ON notices(pet_id) WHERE pet_id IS NOT NULL;"
    "CREATE TRIGGER push_notice AFTER INSERT ON notices BEGIN"
    "  INSERT INTO push_queue (subscription_id, kind, ref_id, next_at, created_at)"
    "  SELECT id, 'notice', NEW.id, NEW.created_at, NEW.created_at"
    "  FROM push_subscriptions WHERE user_id = NEW.user_id; END;",
    /* 46 (issue 25, jobs): leases (store/lease.h). Several server processes
     * share one database; a worker's round or the chores run only in the
     * process holding the lease of its name ('worker.billing', 'chores')
     * until until_s, renewed every round, deleted at a clean stop. holder is
     * the process's id (pa_redis_node). One row per name: the primary key is
     * what two processes racing for a free lease meet. */
    "CREATE TABLE leases ("
    "  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
    "  holder TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 64),"
    "  until_s INTEGER NOT NULL"
    ") STRICT;",
};

static int user_version(pa_store *db, int *out) {
  int64_t v = 0;
  int rc = pa_sq_scalar_i64(db, "PRAGMA user_version", 0, NULL, &v);
  *out = (int)v;
  return rc;
}

/* Tags of posts written before post_tags existed (schema 1 -> 2). */
static int backfill_tags(pa_store *db) {
  pa_sql_stmt *st = pa_sq_stmt(db, "SELECT id, caption FROM posts");
  int rc;
  if (!st) return PA_STORE_EDB;
  while ((rc = pa_sq_step(st)) == PA_SQ_ROW) {
    const char *caption = pa_sq_text(st, 1);
    if (caption && pa_sq_post_tags(db, pa_sq_i64(st, 0), caption) != PA_STORE_OK) {
      pa_sq_done(st);
      return PA_STORE_EDB;
    }
  }
  pa_sq_done(st);
  return rc == PA_SQ_DONE ? PA_STORE_OK : pa_sq_fail(db, "backfill tags");
}

/* Whether every foreign key still finds its row after a step: rebuilt
 * tables are copied with foreign keys off, so a step that lost or misnamed a
 * row would otherwise commit it silently. The pragma reports offenders as
 * rows (which a script ignores), so they are counted. */
static int references_hold(pa_store *db, int version) {
  int64_t n = 0;
  int rc = pa_sq_scalar_i64(db, "SELECT count(*) FROM pragma_foreign_key_check", 0, NULL, &n);
  if (rc != PA_STORE_OK) return rc;
  if (n > 0)
    return pa_sq_failf(db, PA_STORE_EDB,
                       "migrate to %d: %lld rows refer to rows that do not exist"
                       " (PRAGMA foreign_key_check lists them)",
                       version, (long long)n);
  return PA_STORE_OK;
}

static int migrate_steps(pa_store *db);

int pa_sqlite_migrate(pa_store *db) {
  /* Foreign keys must be off to rebuild a referenced table; the pragma is a
   * no-op inside a transaction, so it wraps the whole loop. */
  int rc = pa_sq_script(db, "PRAGMA foreign_keys = OFF", "migrate");
  if (rc != PA_STORE_OK) return rc;
  rc = migrate_steps(db);
  int on = pa_sq_script(db, "PRAGMA foreign_keys = ON", "migrate");
  return rc != PA_STORE_OK ? rc : on;
}

static int migrate_steps(pa_store *db) {
  for (;;) {
    int v, rc;
    /* Read the version inside the write lock, so two servers never both migrate. */
    if ((rc = pa_store_begin(db)) != PA_STORE_OK) return rc;
    if ((rc = user_version(db, &v)) != PA_STORE_OK) {
      pa_store_rollback(db);
      return rc;
    }
    if (v >= PA_STORE_SCHEMA_VERSION) {
      pa_store_rollback(db);
      if (v > PA_STORE_SCHEMA_VERSION)
        return pa_sq_failf(db, PA_STORE_ENEWER, "schema version %d is newer than this server's %d",
                           v, PA_STORE_SCHEMA_VERSION);
      return PA_STORE_OK;
    }
    char bump[64];
    /* PRAGMA takes no bound parameters; v is our own small integer. */
    snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
    if ((rc = pa_sq_script(db, migrations[v], "migrate")) != PA_STORE_OK ||
        (v == 1 && (rc = backfill_tags(db)) != PA_STORE_OK) ||
        (rc = references_hold(db, v + 1)) != PA_STORE_OK ||
        (rc = pa_sq_script(db, bump, "migrate")) != PA_STORE_OK ||
        (rc = pa_store_commit(db)) != PA_STORE_OK) {
      pa_store_rollback(db);
      return rc;
    }
  }
}
