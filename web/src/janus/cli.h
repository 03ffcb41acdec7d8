/* `petamigos-server janus check`: for the operator who sets up Janus (and
 * the tests): reads PA_JANUS and its secrets as the server does, then for
 * each instance asks GET /info and makes a room round trip with the
 * server's own client (create with the admin key, listparticipants, destroy
 * with the room's secret, listparticipants again must say "no such room"),
 * printing one line a step. */
#ifndef PA_JANUS_CLI_H
#define PA_JANUS_CLI_H

enum {
  PA_JANUS_CLI_OK = 0,     /* every instance passed */
  PA_JANUS_CLI_FAIL = 1,   /* a step failed (named in the output) */
  PA_JANUS_CLI_USAGE = 2,  /* bad arguments, or PA_JANUS malformed */
  PA_JANUS_CLI_NOT_SET = 4 /* PA_JANUS is not set: live streaming is off */
};

/* argv[0] is "janus". Returns the exit status above. */
int pa_janus_cli(int argc, char **argv);

#endif
