// A Go TLS server as the vmm host's own stack sets one up: TLS 1.3 at the
// least, a client certificate required and verified against the client CA.
// It answers every request with the verified client's subject.
//
//	gotls PORT SERVER_CHAIN.pem SERVER.key CLIENT_CA.pem
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 5 {
		log.Fatal("usage: gotls PORT CHAIN KEY CLIENT_CA")
	}
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	if err != nil {
		log.Fatal(err)
	}
	caPEM, err := os.ReadFile(os.Args[4])
	if err != nil {
		log.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		log.Fatal("no CA certificate in ", os.Args[4])
	}
	srv := &http.Server{
		Addr: "127.0.0.1:" + os.Args[1],
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS13,
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := r.TLS
			fmt.Fprintf(w, "go tls %x client %s\n", st.Version,
				st.PeerCertificates[0].Subject.CommonName)
		}),
	}
	log.Fatal(srv.ListenAndServeTLS("", ""))
}
