/* `petamigos-server llm ask ...`: asks the configured model (PA_LLM_URL,
 * PA_LLM_MODEL, PA_LLM_KEY, PA_LLM_TIMEOUT_MS) one question through the
 * server's own client, printing the answer as it streams and the tool calls
 * it asked for — for whoever sets up llama.cpp, and for the tests that run
 * the client against web/llmsim (tests/server/llm-client.test.mjs). */
#ifndef PA_LLM_CLI_H
#define PA_LLM_CLI_H

enum {
  PA_LLM_CLI_OK = 0,      /* the answer came whole ([DONE]) */
  PA_LLM_CLI_ERROR = 1,   /* refused: no connection, an error status, a bad stream, a cap */
  PA_LLM_CLI_USAGE = 2,   /* bad arguments or configuration */
  PA_LLM_CLI_TIMEOUT = 3, /* no first byte, or no end, in time */
  PA_LLM_CLI_NO_MODEL = 4 /* PA_LLM_URL is not set */
};

/* argv[0] is "llm". Returns the exit status above. */
int pa_llm_cli(int argc, char **argv);

#endif
