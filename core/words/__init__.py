"""The words Trust Builder sends: how times are said (both channels), and every text message (the SMS channel).

The spoken words live with the Alexa adapter in skill/speech.py; SMS words live here because the scheduler's
texts (reminders, the day's question, the weekly summary) are written by core jobs, which must not import
the Twilio adapter.
"""
