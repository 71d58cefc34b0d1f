/* test-peer.h — an in-process WebRTC participant for relay tests: its own pipeline with a
 * webrtcbin sending test video (VP8) and audio (Opus), decoding what it receives and counting
 * decoded video frames per remote participant (via the relay's track map). It talks to the relay
 * through relay.h directly, on the default main context; the test routes the relay's events to
 * test_peer_on_description() / test_peer_on_candidate(). ICE is restricted to 127.0.0.1.
 */
#pragma once

#include "relay/relay.h"

G_BEGIN_DECLS

typedef struct _TestPeer TestPeer;

/* Starts a peer that offers to the relay as participant_id of room_id (the participant must
 * already be added). keyframe_interval: frames between VP8 keyframes the encoder makes on its
 * own (use a large value to prove that keyframe requests travel through the relay). */
TestPeer *test_peer_new (SamtalRelay *relay, const char *room_id, const char *participant_id,
                         guint keyframe_interval);
void test_peer_free (TestPeer *peer);
/* Like test_peer_free, but the pipeline stops on the returned thread (join it); the main
 * context is not held up. */
GThread *test_peer_stop (TestPeer *peer);
/* Makes the peer's offer carry a wrong DTLS fingerprint (call right after test_peer_new). */
void test_peer_corrupt_fingerprint (TestPeer *peer);
/* From now on the peer leaves the relay's offers unanswered (a lost answer). */
void test_peer_ignore_offers (TestPeer *peer);
/* From now on every Nth received video packet is lost (after SRTP), and the peer NACKs lost
 * video like a browser (call right after test_peer_new). */
void test_peer_lose_video (TestPeer *peer, guint every);
guint test_peer_lost (TestPeer *peer);
/* Received streams whose sender reports arrived (webrtcbin's remote-outbound-rtp stats with a
 * packet count). Waits for webrtcbin's stats. */
guint test_peer_sender_reports (TestPeer *peer);
const char *test_peer_id (TestPeer *peer);

void test_peer_on_description (TestPeer *peer, const char *type, const char *sdp,
                               const SamtalRelayTrack *tracks, guint n_tracks);
void test_peer_on_candidate (TestPeer *peer, guint mline_index, const char *candidate);

/* Decoded video frames received from source_id (0 if none yet). Thread safe. */
guint test_peer_frames_from (TestPeer *peer, const char *source_id);
/* A line describing what the peer received, per mid (transfer full), for test logs. */
char *test_peer_describe (TestPeer *peer);
/* Number of relay offers this peer has answered. */
guint test_peer_offers_answered (TestPeer *peer);

G_END_DECLS
