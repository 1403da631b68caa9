/* A stand-in for a vendor's SDT library: the card is the file named by FAKE_SDT_CARD (256 bytes of chip
   text) while that file exists; no file, no card. Built by the tests with the system C compiler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opened = 0;

int SDT_OpenPort(int port) { if (port != 1001) return 0x01; opened = 1; return 0x90; }
int SDT_ClosePort(int port) { (void)port; opened = 0; return 0x90; }

static FILE *card(void) {
    const char *path = getenv("FAKE_SDT_CARD");
    return path ? fopen(path, "rb") : NULL;
}

int SDT_StartFindIDCard(int port, unsigned char *info, int open) {
    (void)port; (void)info; (void)open;
    FILE *f = card();
    if (!opened || !f) return 0x80;
    fclose(f);
    return 0x9F;
}

int SDT_SelectIDCard(int port, unsigned char *info, int open) {
    (void)port; (void)info; (void)open;
    FILE *f = card();
    if (!f) return 0x81;
    fclose(f);
    return 0x90;
}

int SDT_ReadBaseMsg(int port, unsigned char *text, unsigned int *text_len, unsigned char *photo,
                    unsigned int *photo_len, int open) {
    (void)port; (void)open;
    FILE *f = card();
    if (!f) return 0x41;
    size_t n = fread(text, 1, 256, f);
    fclose(f);
    *text_len = (unsigned int)n;
    memset(photo, 0, 1024);
    *photo_len = 1024;
    return n == 256 ? 0x90 : 0x41;
}
