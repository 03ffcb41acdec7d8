/* `petamigos-server pay ...`: the marketplace adapter calls from the
 * command line, for operators checking a provider account and for the
 * tests that drive the adapters against paysim (tests/server/paysim.test.mjs).
 * Reads the providers' settings from the environment like the server. */
#ifndef PA_PAY_CLI_H
#define PA_PAY_CLI_H

/* argv[0] is "pay". Prints JSON to stdout, errors to stderr; returns the
 * exit status (0 done, 1 refused or failed, 2 bad arguments). A seller's
 * tokens go only to and from the grant file named (mode 0600), never to
 * stdout or stderr. */
int pa_pay_cli(int argc, char **argv);

#endif
