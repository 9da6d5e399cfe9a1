package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A file's first bytes say whether it is an image a client sent where raw frames belong. */
class ImageFilesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(
            nullValues = "none",
            value = {
                "89504e470d0a1a0a0000000d, PNG", // the PNG signature, then the IHDR length
                "89504e470d0a1a0a,         PNG",
                "89504e470d0a1a,           none", // the signature cut short
                "ffd8ffe000104a464946,     JPEG", // SOI, then an APP0 marker
                "ffd8ff,                   JPEG",
                "ffd800,                   none", // SOI not followed by a marker
                "ffd8,                     none",
                "000000ff00ff00ff,         none", // raw bgr24 pixels
                "'',                       none"
            })
    void kindIsReadFromTheFirstBytes(String hex, String kind) {
        assertEquals(kind, ImageFiles.kind(HexFormat.of().parseHex(hex)));
    }
}
