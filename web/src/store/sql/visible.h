/* The SQL every listing uses to keep blocked, muted and private people's
 * rows from those who must not see them (store/safety.h). Arguments are SQL
 * expressions: a bound parameter such as "?4" or a column such as
 * "p.author_id". The subqueries' aliases (vb_, vm_, vf_) are their own so
 * they never shadow the outer query's. Viewer 0 (nobody) is no one's
 * follower and in no block, so it sees public accounts only. */
#ifndef PA_SQL_VISIBLE_H
#define PA_SQL_VISIBLE_H

/* Neither of viewer and person blocked the other. */
#define PA_SQ_NOT_BLOCKED(viewer, person)                                                          \
  "NOT EXISTS (SELECT 1 FROM blocks vb_ WHERE (vb_.blocker_id = " viewer                           \
  " AND vb_.blocked_id = " person ") OR (vb_.blocker_id = " person " AND vb_.blocked_id = " viewer \
  "))"

/* viewer did not mute person. */
#define PA_SQ_NOT_MUTED(viewer, person)                                                            \
  "NOT EXISTS (SELECT 1 FROM mutes vm_ WHERE vm_.muter_id = " viewer " AND vm_.muted_id = " person \
  ")"

/* The posts of the person whose users row is aliased u are open to viewer:
 * a public account, viewer's own, or one viewer follows (an approved
 * follow: requests wait in follow_requests). */
#define PA_SQ_POSTS_OPEN(u, viewer)                                                                \
  "(" u ".private = 0 OR " u ".id = " viewer " OR EXISTS (SELECT 1 FROM follows vf_"               \
  " WHERE vf_.follower_id = " viewer " AND vf_.followee_id = " u ".id))"

/* Both: viewer may see the posts of u. */
#define PA_SQ_POSTS_VISIBLE(u, viewer)                                                             \
  PA_SQ_NOT_BLOCKED(viewer, u ".id") " AND " PA_SQ_POSTS_OPEN(u, viewer)

/* The comment aliased c is listed to viewer: one a moderator hid only to its
 * author, a removed one to nobody, and none by a person in a block with the
 * viewer (either way). Every count of comments shown beside a list uses it
 * too, so a count is what the viewer can page through. */
#define PA_SQ_COMMENT_SHOWN(c, viewer)                                                             \
  "(" c ".mod_state = 0 OR (" c ".mod_state = 1 AND " c ".author_id = " viewer                     \
  ")) AND " PA_SQ_NOT_BLOCKED(viewer, c ".author_id")

/* How many comments on the post whose id is the expression post the viewer
 * is listed (PA_SQ_COMMENT_SHOWN), replies included: a post's
 * comment_count. The alias vc_ is its own. */
#define PA_SQ_COMMENT_COUNT(post, viewer)                                                          \
  "(SELECT count(*) FROM comments vc_ WHERE vc_.post_id = " post                                   \
  " AND " PA_SQ_COMMENT_SHOWN("vc_", viewer) ")"

/* The moderated item aliased i (a reel or a story: mod_state 0 shown, 1
 * hidden) is shown to viewer: a hidden one only to its owner, the
 * expression owner. A removed one has no row left. */
#define PA_SQ_ITEM_SHOWN(i, owner, viewer) "(" i ".mod_state = 0 OR " owner " = " viewer ")"

/* The post whose id is the expression post is no ad creative (issue 21,
 * store/ads.h): a creative is a post of its advertiser's own account that
 * reaches people only as a sponsored candidate, never in an organic listing
 * (feeds, profiles, pet and tag pages, search, their counts). The alias
 * vk_ is its own. */
#define PA_SQ_NOT_CREATIVE(post)                                                                   \
  "NOT EXISTS (SELECT 1 FROM ad_creatives vk_ WHERE vk_.post_id = " post ")"

/* The post whose id is post, when it is a creative, may be read by id
 * (a sponsored candidate's, GET /posts/{p}): once approved, or by its
 * author. The alias vk_ is its own. */
#define PA_SQ_CREATIVE_READABLE(post, author, viewer)                                              \
  "(" PA_SQ_NOT_CREATIVE(                                                                          \
      post) " OR " author " = " viewer                                                             \
            " OR EXISTS (SELECT 1 FROM ad_creatives vk_ WHERE vk_.post_id = " post                 \
            " AND vk_.review = 'approved'))"

#endif
