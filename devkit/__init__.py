"""The simulator kit: everything that plays the outside world to Trust Builder, shared by the console
(`python -m console`), the benches (bench/) and the tests.

- alexa: request envelopes shaped like the ones Alexa posts to /alexa.
- twilio: the webhook forms Twilio posts, their X-Twilio-Signature, and reading TwiML replies.
- signed_client: the app's Flask test client posting signed Alexa requests and Twilio webhooks.
- certs: a throwaway PKI (root, intermediate, echo-api.amazon.com leaf) and a signer the app can trust.
- fakes: loopback fakes of Twilio's Messages API and the Alexa Settings API, and a recording gateway.
- stepping: moving a settable clock the way the scheduler sees time, stopping at every due time.
- databases: throwaway PostgreSQL databases (or SQLite files) that are dropped afterwards.
- seeding: a couple made through the core services (create, invite, accept).
"""
