"""devkit.signed_client: what it posts passes the app's real checks (Alexa's certificate chain and signature,
Twilio's X-Twilio-Signature over PUBLIC_BASE_URL), and the same request signed with the wrong secret does not."""
import pytest

from devkit import alexa
from devkit.certs import AlexaSigner, root_ca
from devkit.signed_client import SignedClient
from tests.conftest import ALEX, make_settings
from tests.skill.conftest import OUR_NUMBER, make_app
from tests.skill.envelopes import API_ENDPOINT, DEVICE_ID, SKILL_ID, USER_ID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
TOKEN = "a-test-auth-token-of-some-length"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, alexa_verify="true", alexa_skill_id=SKILL_ID, twilio_from_number=OUR_NUMBER,
                         twilio_auth_token=TOKEN)


def poster(app, signer, token=TOKEN) -> SignedClient:
    device = alexa.Device(SKILL_ID, USER_ID, DEVICE_ID, API_ENDPOINT, "token")
    return SignedClient(app.test_client(), signer, device, "", token, "https://tb.example.com", OUR_NUMBER)


def test_signed_requests_are_answered_and_wrongly_signed_ones_refused(runtime, clock, couple):
    signer = AlexaSigner.around(clock(), CERT_URL)
    app = make_app(runtime, trusted_roots=signer.trusted_roots, fetch=signer.fetch)

    launch = poster(app, signer).alexa(alexa.launch_request(clock()), USER_ID)
    assert launch.status_code == 200 and "outputSpeech" in launch.get_json()["response"]
    text = poster(app, signer).sms(ALEX, "I felt heard when you listened")
    assert text.status_code == 200 and b"<Response>" in text.data

    distrusting = make_app(runtime, trusted_roots=[root_ca("Another Root CA")], fetch=signer.fetch)
    assert poster(distrusting, signer).alexa(alexa.launch_request(clock()), USER_ID).status_code == 400
    assert poster(app, signer, token="not-the-token-at-all-xxxxxxxxxx").sms(ALEX, "hello").status_code == 403
