"""Loopback fakes of the services Trust Builder calls, and a recording SMS gateway."""
